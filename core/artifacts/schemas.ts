import * as z from 'zod';
import { PairSchema } from '../config/index.js';
import { ARTIFACT_FILES, VERSION_PATTERN } from './layout.js';

export const Sha256HexSchema = z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lower-case hex digits');

export const VersionSchema = z
  .string()
  .regex(VERSION_PATTERN, 'expected a version like 20261126T064100Z-a1b2');

export const ArtifactNameSchema = z.enum(ARTIFACT_FILES);

/** One published file: where it is, and what its bytes must hash to. */
export const ManifestFileSchema = z.strictObject({
  key: z.string().min(1),
  sha256: Sha256HexSchema,
  bytes: z.number().int().nonnegative(),
});

/**
 * What the model expects, for readers that want to check before loading it. The known fields are
 * typed; anything else the training run wants to record (hidden size, epochs, test MAE...) passes
 * through, provided it is plain JSON (so a NaN metric is refused rather than written as null).
 */
export const ManifestModelSchema = z
  .object({
    sequence_length: z.number().int().positive().optional(),
    feature_count: z.number().int().positive().optional(),
    features: z.array(z.string()).optional(),
  })
  .catchall(z.json());

/**
 * manifest.json, written after the files it lists and before latest.json. Unknown top-level keys are
 * dropped rather than refused, so an older reader can read a newer writer's additions.
 */
export const ManifestSchema = z.object({
  schema_version: z.literal(1),
  pair: PairSchema,
  version: VersionSchema,
  created_at: z.iso.datetime(),
  // A record over an enum requires every key: a manifest always lists all three files.
  files: z.record(ArtifactNameSchema, ManifestFileSchema),
  /** Files a version may lack (OPTIONAL_ARTIFACT_FILES); absent in manifests written before them. */
  optional_files: z
    .object({
      'distribution.json': ManifestFileSchema.optional(),
      'scale.onnx': ManifestFileSchema.optional(),
    })
    .optional(),
  model: ManifestModelSchema,
});

/**
 * manifest.sig: who published the version. `signature` is ECDSA P-256 over SHA-256 of manifest.json's
 * exact bytes, DER, in base64 (what KMS's ECDSA_SHA_256 returns); `key_id` names the key for messages
 * only: a reader verifies with the key it was configured with, never with one the bucket names.
 */
export const ManifestSignatureSchema = z.strictObject({
  schema_version: z.literal(1),
  algorithm: z.literal('ECDSA_SHA_256'),
  key_id: z.string().min(1).max(2048),
  signature: z.base64().min(8).max(256),
});

/** latest.json: the one object a reader starts from; replacing it is what makes a version live. */
export const LatestPointerSchema = z.object({
  pair: PairSchema,
  version: VersionSchema,
  manifest_key: z.string().min(1),
  published_at: z.iso.datetime(),
});

export type ManifestFile = z.infer<typeof ManifestFileSchema>;
export type ManifestModel = z.infer<typeof ManifestModelSchema>;
export type Manifest = z.infer<typeof ManifestSchema>;
export type LatestPointer = z.infer<typeof LatestPointerSchema>;
export type ManifestSignature = z.infer<typeof ManifestSignatureSchema>;
