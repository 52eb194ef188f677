/**
 * dots 1.19 was generated for a Kiota that inferred the element type of primitive arrays; the
 * installed Kiota (1.0.0-preview.109) requires it, and throws "unsupported type during
 * deserialization undefined" on any non-empty `tags`, `features`, `volume_ids`, … — i.e. on almost
 * every droplet. This parse node takes the element type when given and otherwise keeps the JSON
 * values as they are; everything else is delegated to Kiota's own JSON parse node.
 *
 * It is lenient about types, not about structure: where dots' model (DigitalOcean's documented
 * shape) has a list or an object and the answer has something else (`"droplets": "x"`, a number
 * for `networks`), the answer is refused with the field named, instead of reading as an empty
 * list (teardown would see nothing to delete) or failing later, deep inside, on a missing field.
 */

/** An answer whose structure is not the documented one: a `response` failure, as the transport's refusals are. */
export class AnswerShapeError extends TransportError {
  constructor(where: string, expected: 'a list' | 'an object', value: unknown) {
    super(`its ${where ? `"${where}"` : 'body'} is ${describe(value)} where DigitalOcean sends ${expected}`, {
      reason: 'response',
      method: '',
      path: '',
      attempts: 1,
      ambiguous: false,
    });
    this.name = 'AnswerShapeError';
  }
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

import {
  isUntypedNode,
  type Parsable,
  type ParsableFactory,
  type ParseNode,
  type ParseNodeFactory,
  type PrimitiveTypesForDeserializationForCollection,
} from '@microsoft/kiota-abstractions';
import { JsonParseNode } from '@microsoft/kiota-serialization-json';
import { TransportError } from './transport-error.js';

type ModelWithExtras = Parsable & { additionalData?: Record<string, unknown> };

export class LenientJsonParseNode implements ParseNode {
  private readonly kiota: JsonParseNode;
  onBeforeAssignFieldValues: ((value: Parsable) => void) | undefined;
  onAfterAssignFieldValues: ((value: Parsable) => void) | undefined;

  constructor(
    private readonly json: unknown,
    /** Where this value sits in the answer, e.g. `droplets[3].networks`, for refusals. */
    private readonly where = '',
  ) {
    this.kiota = new JsonParseNode(json);
  }

  private at(key: string | number): string {
    return typeof key === 'number' ? `${this.where}[${key}]` : this.where ? `${this.where}.${key}` : key;
  }

  /** null and absent are what DigitalOcean sends for "none"; anything else must be a list. */
  private list(): unknown[] | undefined {
    if (this.json === null || this.json === undefined) return undefined;
    if (!Array.isArray(this.json)) throw new AnswerShapeError(this.where, 'a list', this.json);
    return this.json;
  }

  getStringValue = () => this.kiota.getStringValue();
  getBooleanValue = () => this.kiota.getBooleanValue();
  getNumberValue = () => this.kiota.getNumberValue();
  getGuidValue = () => this.kiota.getGuidValue();
  getDateValue = () => this.kiota.getDateValue();
  getDurationValue = () => this.kiota.getDurationValue();
  getDateOnlyValue = () => this.kiota.getDateOnlyValue();
  getTimeOnlyValue = () => this.kiota.getTimeOnlyValue();
  getByteArrayValue = () => this.kiota.getByteArrayValue();
  getEnumValue = <T>(type: unknown) => this.kiota.getEnumValue<T>(type);
  getCollectionOfEnumValues = <T>(type: unknown) => this.kiota.getCollectionOfEnumValues<T>(type);

  getChildNode(identifier: string): ParseNode | undefined {
    if (this.json === null || typeof this.json !== 'object') return undefined;
    const child = (this.json as Record<string, unknown>)[identifier];
    return child === undefined ? undefined : new LenientJsonParseNode(child, this.at(identifier));
  }

  getCollectionOfPrimitiveValues<T>(
    primitiveType?: PrimitiveTypesForDeserializationForCollection,
  ): T[] | undefined {
    const items = this.list();
    if (primitiveType) return items && this.kiota.getCollectionOfPrimitiveValues<T>(primitiveType);
    return items ? ([...items] as T[]) : undefined;
  }

  getCollectionOfObjectValues<T extends Parsable>(factory: ParsableFactory<T>): T[] | undefined {
    return this.list()?.map((item, i) => new LenientJsonParseNode(item, this.at(i)).getObjectValue(factory));
  }

  getObjectValue<T extends Parsable>(factory: ParsableFactory<T>): T {
    if (
      this.json !== null &&
      this.json !== undefined &&
      (typeof this.json !== 'object' || Array.isArray(this.json))
    ) {
      throw new AnswerShapeError(this.where, 'an object', this.json);
    }
    const model = {} as ModelWithExtras;
    const fields = factory(this)(model);
    // Untyped nodes hold no typed primitive arrays, so Kiota's own handling is correct for them.
    if (isUntypedNode(fields)) return this.kiota.getObjectValue(factory);
    this.onBeforeAssignFieldValues?.(model);
    if (this.json !== null && typeof this.json === 'object') {
      for (const [key, value] of Object.entries(this.json)) {
        const assign = fields[key];
        if (assign) {
          assign(new LenientJsonParseNode(value, this.at(key)));
        } else {
          model.additionalData ??= {};
          model.additionalData[key] = value;
        }
      }
    }
    this.onAfterAssignFieldValues?.(model);
    return model as T;
  }
}

export class LenientJsonParseNodeFactory implements ParseNodeFactory {
  getValidContentType(): string {
    return 'application/json';
  }

  getRootParseNode(contentType: string, content: ArrayBuffer): ParseNode {
    if (contentType !== this.getValidContentType()) {
      throw new Error(`expected a ${this.getValidContentType()} content type, got ${contentType}`);
    }
    return new LenientJsonParseNode(JSON.parse(new TextDecoder().decode(content)));
  }
}
