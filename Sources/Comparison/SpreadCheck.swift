import Foundation
import Model
import NumericKit
import SpecgdSupport
import Theory

/// Measured seeds against the predicted spread of a quantity (docs/model.md §5 "The seeds'
/// spread"): two checks, each with its error model.
///
/// - *Median inside*: the measured median over n seeds lies in the predicted [q10, q90]. If the
///   seeds follow the predicted law, the sample median falls below q10 only when ≥ ⌈n/2⌉ of n
///   seeds do (a Binomial(n, 0.1) tail): 2·P(Bin(16, 0.1) ≥ 8) ≈ 9·10⁻⁵ at n = 16. With fewer
///   seeds that bound exceeds the width check's false-alarm rate 1 − level (38 % at 2 seeds,
///   5.6 % at 3, 10 % at 4): a "NO" would say more about the seed count than about the law, so
///   the median check is not made there (`medianNotCheckable`; 5 seeds or more at level 0.95).
/// - *Width*: D = (measured q90 − q10) − (predicted q90 − q10). Both widths are sample-quantile
///   estimates (`SampleQuantile.linear`; n seeds, N draws) with sampling errors of order
///   √(p(1 − p)/n)/f(Q_p) (order statistics, Var Q̂_p ≈ p(1 − p)/(n f²)), biased for small n
///   (q10 of 16 interpolates between the 2nd and 3rd order statistics). Its null distribution
///   is taken by bootstrap from the N predicted draws: B times, n and N values drawn with
///   replacement, the same estimator on each, D* = w*_n − w*_N. The width agrees when D lies in
///   the central `level` interval of D*. A false disagreement has probability 1 − level.
/// - *Resolution*: an integer-valued quantity (an escape step) is known to a step only: the dense
///   run and the map cross a_esc on neighbouring steps for the same continuous trajectory (a
///   crossing time rounded up), so both comparisons are widened by `resolution` on each side
///   (1 for escape steps, 0 for continuous quantities). Without it a SpecGD spread of one or two
///   steps turns a one-step rounding into a verdict.
public struct SpreadCheck: Sendable, Codable, Equatable {
    /// Seeds measured.
    public var seeds: Int
    public var measured: SpreadQuantiles?
    public var predicted: SpreadQuantiles?
    /// The measured median within the predicted [q10, q90]; nil when not checkable.
    public var medianInside: Bool?
    /// Why the median check alone was not made (too few seeds for its false-alarm rate to stay
    /// within 1 − level); nil when it was, or when `notCheckable` says why nothing was.
    public var medianNotCheckable: String?
    public var measuredWidth: Double?
    public var predictedWidth: Double?
    /// The central `level` interval of D* = w*_n − w*_N (bootstrap), and whether D lies in it.
    public var widthDifferenceInterval: [Double]?
    public var widthAgrees: Bool?
    public var level: Double
    public var resamples: Int
    /// How far apart two values must be to count as different (1 for escape steps; see above).
    public var resolution: Double = 0
    /// Why the checks could not be made (no escape, fewer than 2 seeds, …); nil when they were.
    public var notCheckable: String?

    /// Checks `measured` (one value per seed; NaN = no escape) against `draws` (the predicted
    /// draws, NaN = no escape). `reason` marks the check not checkable up front (e.g. the seeds
    /// also differ by their data, which the law of W₀ does not cover).
    public static func check(measured: [Double], draws: [Double], level: Double = 0.95, resamples: Int = 1000,
                             seed: UInt64 = 0, resolution: Double = 0, reason: String? = nil) -> SpreadCheck {
        var result = SpreadCheck(seeds: measured.count, measured: SpreadQuantiles(measured), predicted: SpreadQuantiles(draws),
                                 level: level, resamples: resamples, resolution: resolution)
        if let reason { result.notCheckable = reason; return result }
        guard let m = result.measured else {
            result.notCheckable = measured.isEmpty ? "no seeds" : "a seed did not escape within the steps"
            return result
        }
        guard let p = result.predicted else {
            result.notCheckable = draws.isEmpty ? "no predicted draws" : "a predicted draw did not escape within the steps"
            return result
        }
        if result.medianFalseAlarm > 1 - level {
            result.medianNotCheckable = "at \(measured.count) seed\(measured.count == 1 ? "" : "s") a law that holds fails it with probability "
                + "\(percent(result.medianFalseAlarm)) % > \(percent(1 - level)) %; needs \(minimumSeedsForMedian(level: level)) seeds or more"
        } else {
            result.medianInside = m.q50 >= p.q10 - resolution && m.q50 <= p.q90 + resolution
        }
        guard measured.count >= 2 else {
            result.notCheckable = "the width of one seed is 0 (needs at least 2 seeds)"
            return result
        }
        result.measuredWidth = m.width
        result.predictedWidth = p.width
        var rng = Xoshiro256(seed: seed, stream: 0)
        let n = measured.count, big = draws.count
        func resampledWidth(_ count: Int) -> Double {
            var sample = [Double](repeating: 0, count: count)
            for i in 0..<count { sample[i] = draws[min(Int(rng.uniform() * Double(big)), big - 1)] }
            sample.sort()
            return SampleQuantile.linear(sample, 0.9) - SampleQuantile.linear(sample, 0.1)
        }
        var differences = [Double]()
        differences.reserveCapacity(resamples)
        for _ in 0..<resamples { differences.append(resampledWidth(n) - resampledWidth(big)) }
        differences.sort()
        let tail = (1 - level) / 2
        let interval = [SampleQuantile.linear(differences, tail), SampleQuantile.linear(differences, 1 - tail)]
        result.widthDifferenceInterval = interval
        let d = m.width - p.width
        result.widthAgrees = d >= interval[0] - resolution && d <= interval[1] + resolution
        return result
    }

    /// The probability that the median check fails although the seeds follow the predicted law:
    /// 2·P(Bin(n, 0.1) ≥ ⌈n/2⌉) (see above); 5.6 % at 3 seeds, 9·10⁻⁵ at 16. Printed next to a
    /// failed median check, so a "NO" from a handful of seeds is read for what it is.
    public var medianFalseAlarm: Double { Self.medianFalseAlarm(seeds: seeds) }

    /// 2·P(Bin(seeds, 0.1) ≥ ⌈seeds/2⌉): the bound above, for any seed count.
    static func medianFalseAlarm(seeds: Int) -> Double {
        2 * binomialTail(trials: seeds, probability: 0.1, atLeast: (seeds + 1) / 2)
    }

    /// The fewest seeds from which on the median check's false-alarm bound stays within
    /// 1 − level; scanned, since the bound is not monotone (4 seeds: 10 %, 3 seeds: 5.6 %).
    public static func minimumSeedsForMedian(level: Double) -> Int {
        var n = 1
        while (n..<(n + 64)).contains(where: { medianFalseAlarm(seeds: $0) > 1 - level }) { n += 1 }
        return n
    }

    private static func percent(_ p: Double) -> String { String(format: "%.2g", p * 100) }

    /// P(Bin(trials, probability) ≥ atLeast), summed in log space (lgamma) so large counts cannot overflow.
    static func binomialTail(trials n: Int, probability p: Double, atLeast k: Int) -> Double {
        guard n > 0 else { return 0 }
        var total = 0.0
        for j in max(k, 0)...n {
            let logChoose = lgamma(Double(n + 1)) - lgamma(Double(j + 1)) - lgamma(Double(n - j + 1))
            total += exp(logChoose + Double(j) * log(p) + Double(n - j) * log1p(-p))
        }
        return min(total, 1)
    }

    /// The median check in a word: "not checkable (why)" when not made, "yes" or "NO"; nil when
    /// the whole check was not checkable before it (`notCheckable`).
    package var medianVerdict: String? {
        medianNotCheckable.map { "not checkable (\($0))" } ?? medianInside.map { $0 ? "yes" : "NO" }
    }

    /// Every check that was made held (nil: none was); a median check not made for too few
    /// seeds leaves the width check's verdict.
    public var passed: Bool? {
        if medianInside == false || widthAgrees == false { return false }
        guard medianInside == true || medianNotCheckable != nil, widthAgrees == true else { return nil }
        return true
    }
}
