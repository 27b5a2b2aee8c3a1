export { generateKohaDataset, DEFAULT_NOW } from './dataset.js';
export type { GenerateOptions, KohaDataset } from './dataset.js';
export { ALL_TRAITS, PLANTED_TRAITS, NAME_TRAITS, DERIVED_TRAITS } from './traits.js';
export type { PlantedTrait } from './traits.js';
export { CIVICRM_LIMITS } from './limits.js';
export { createRng } from './prng.js';
export type { Rng } from './prng.js';
export { planCrmPrefill, describePrefill } from './crm-prefill.js';
export type { CrmPrefill, CrmPrefillOptions, PlannedContact, PrefilledContact, PrefillKind, PrefillVariant } from './crm-prefill.js';
