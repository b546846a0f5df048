/** Text limits, mirroring the database's check constraints (the database still enforces them). */
export const NOTE_MAX = 4000;
export const COMMENT_MAX = 2000;
export const GOAL_TITLE_MAX = 200;
