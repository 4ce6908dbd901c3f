// Learning-rate schedules, as functions of the epoch index (the reference sets the lr once per epoch).

/** CosineAnnealingLR(T_max = epochs, eta_min): lr(e) = min + (max − min)·(1 + cos(πe/E))/2. */
export function cosineLr(epoch: number, epochs: number, lrMax: number, lrMin: number): number {
  return lrMin + ((lrMax - lrMin) * (1 + Math.cos((Math.PI * epoch) / epochs))) / 2;
}

/** StepLR(step_size = 1, gamma): the ImageNet recipe's lr × 0.97 per epoch. */
export function exponentialLr(epoch: number, lr0: number, gamma: number): number {
  return lr0 * gamma ** epoch;
}
