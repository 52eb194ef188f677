/**
 * Just enough of the shell's word splitting to find the commands in a user_data line: quotes
 * ('…', "…" with backslash escapes), backslashes, comments, and the operators that separate
 * simple commands (`;`, `&&`, `||`, `|`, `&`, parentheses, braces, newlines). No expansion.
 */
export function shellSegments(command: string): string[][] {
  const segments: string[][] = [];
  let words: string[] = [];
  let word: string | undefined;
  const endWord = () => {
    if (word !== undefined) words.push(word);
    word = undefined;
  };
  const endSegment = () => {
    endWord();
    if (words.length > 0) segments.push(words);
    words = [];
  };
  for (let i = 0; i < command.length; i++) {
    const c = command[i]!;
    if (c === "'") {
      const end = command.indexOf("'", i + 1);
      const stop = end < 0 ? command.length : end;
      word = (word ?? '') + command.slice(i + 1, stop);
      i = stop;
    } else if (c === '"') {
      let text = '';
      for (i++; i < command.length && command[i] !== '"'; i++) {
        if (command[i] === '\\' && /["\\$`]/.test(command[i + 1] ?? '')) i++;
        text += command[i];
      }
      word = (word ?? '') + text;
    } else if (c === '\\') {
      word = (word ?? '') + (command[++i] ?? '');
    } else if (c === '#' && word === undefined) {
      while (i < command.length && command[i] !== '\n') i++;
      endSegment();
    } else if (/[;&|()\n]/.test(c) || ((c === '{' || c === '}') && word === undefined)) {
      endSegment();
    } else if (/\s/.test(c)) {
      endWord();
    } else {
      word = (word ?? '') + c;
    }
  }
  endSegment();
  return segments;
}
