// The code version recorded with every run (the reference copies its code into each experiment folder).
export const CODE_VERSION = '0.1.0';
