/// Sample quantiles: one estimator for every table, sweep and spread in the toolkit.
package enum SampleQuantile {
    /// Linear-interpolation quantile of sorted values (NumPy `method="linear"`): position
    /// p·(n − 1) between the order statistics. NaN for no values.
    package static func linear(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let position = p * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = min(lower + 1, sorted.count - 1)
        let fraction = position - Double(lower)
        return sorted[lower] + fraction * (sorted[upper] - sorted[lower])
    }
}
