export function median(values) {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((left, right) => left - right)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/** Relative spread of the runs: (max − min) / median, to say how noisy a figure is. */
export function spread(values) {
  return (Math.max(...values) - Math.min(...values)) / median(values)
}
