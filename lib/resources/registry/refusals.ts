/**
 * Why deploy refuses a registry before it creates anything, each in one sentence with what to do.
 * Registry names are global on DigitalOcean: the name is the path of every image
 * (`registry.digitalocean.com/<name>/…`), so one that another account holds cannot be had.
 */
import { DOCR_HOST } from '../../config/image.js';
import { ConflictError } from '../../errors.js';

interface Named {
  name: string;
}

const WHERE = 'registry.name in deployment.yml (the sample reads it from DO_REGISTRY_NAME)';

/** The account has no registry and DigitalOcean's validate-name answered 409 for the manifest's name. */
export function takenNameRefusal(desired: Named): ConflictError {
  return new ConflictError(
    `Container registry name "${desired.name}" is taken: registry names are global on DigitalOcean and another account holds it; nothing was created.`,
    {
      hint:
        `Choose a name of your own (1-63 lowercase letters, digits and dashes; e.g. "${suggestion(desired.name)}") for ${WHERE}, ` +
        'then push your images to that registry.',
    },
  );
}

/** For a refused create: a 409 after validate-name said the name was free means someone took it meanwhile. */
export const TAKEN_ON_CREATE_HINT =
  `Registry names are global on DigitalOcean: on a 409 another account holds the name, so choose a name of your own for ${WHERE}; ` +
  'otherwise check registry.region and registry.subscription_tier.';

/**
 * The account's one registry has another name, and the droplets pull from the manifest's: DigitalOcean
 * gives an account one registry, so the droplets' image would name a registry the account does not have.
 */
export function accountRegistryRefusal(
  desired: Named,
  accountRegistry: string,
  image: string,
): ConflictError {
  const path = image.split('/').slice(2).join('/');
  return new ConflictError(
    `The droplets pull ${image}, but this account's container registry is "${accountRegistry}", not "${desired.name}": ` +
      'DigitalOcean allows one registry per account, so the droplets could not pull the image; nothing was created.',
    {
      hint:
        `Use the account's registry: set ${WHERE} to "${accountRegistry}" and push the image to ` +
        `${DOCR_HOST}/${accountRegistry}/${path}.`,
    },
  );
}

/** An example of a name of one's own: the taken one, prefixed with who you are. */
function suggestion(name: string): string {
  return `yourteam-${name}`.slice(0, 63).replace(/-+$/, '');
}
