// Public surface of the start-referral feature, used where a referral sends a person on (forwarding).
export { useProgramSearch, type ProgramResult } from './api/search-programs';
