import type * as z from 'zod';
import { imageDigestSchema, imageTagSchema } from '../../config/image.js';
import { booleanParamSchema, commonInputSchema } from '../../config/input.js';
import { lockInputShape, resumeInputShape } from '../../lock/input.js';

export const deployInputSchema = commonInputSchema
  .extend({
    /** Deploy this tag of the Base2 image (app components and droplet containers). */
    image_tag: imageTagSchema.optional(),
    /** Or pin an exact digest (`sha256:…`). */
    image_digest: imageDigestSchema.optional(),
    /**
     * Take over an app that has the deployment's name but no proof that this tool made it (made by
     * hand, or by another tool): its spec becomes deployment.yml's, with the tool's owner marker.
     */
    adopt_app: booleanParamSchema.default(false),
    /** Keep droplets a failed attempt created, for inspection (they are removed by default). */
    keep_failed: booleanParamSchema.default(false),
    /** Seconds to wait while another deploy, edit or teardown holds the deployment. */
    ...lockInputShape,
    /** The token an in_progress answer gave: continue under the lock it kept. */
    ...resumeInputShape,
  })
  .refine((input) => !(input.image_tag && input.image_digest), {
    message: 'give image_tag or image_digest, not both',
    path: ['image_digest'],
  });

export type DeployInput = z.output<typeof deployInputSchema>;
