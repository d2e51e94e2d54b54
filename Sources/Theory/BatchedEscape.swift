import SpecgdSupport

extension DiscreteMap {
    /// `escapeMetrics` for many learning rates of one model at once — the cells of a (λ, η)
    /// phase diagram that share λ. Returns exactly (bit for bit) what
    /// `DiscreteMap(model:method:learningRate: lr).escapeMetrics(from:steps:threshold:)` returns
    /// for each lr, in order.
    ///
    /// Why: one cell's map is a serial chain (every step needs the previous T), so a single
    /// trajectory runs at the latency of ~10 dependent flops per step (~15 ns). Stepping all
    /// cells together in struct-of-arrays layout turns that into independent, vectorisable
    /// work (callgrind/timing: a 100×100 grid ran 0.54 s cell by cell; NumPy over the whole grid
    /// took 0.41 s). Same arithmetic in the same order as `rawStep`, hence identical numbers.
    /// A cell that diverges is re-run alone so the error is the one `escapeMetrics` throws.
    public static func escapeMetrics(model: GroupedModel, method: Method, learningRates: [Double],
                                     from start: [Double], steps: Int, threshold: Double = 0.5) throws -> [EscapeMetrics] {
        try Validate.positive(threshold, "escape threshold")
        try Validate.atLeast(steps, 0, "steps")
        for lr in learningRates { try Validate.positive(lr, "lr") }
        guard start.count == model.count else {
            throw InputError("start has \(start.count) coefficients for \(model.count) groups")
        }
        for value in start { try Validate.finite(value, "initial coefficient") }
        let cells = learningRates.count, n = model.count
        guard cells > 0 else { return [] }
        let reference = try DiscreteMap(model: model, method: method, learningRate: learningRates[0])
        let limit = reference.explosionLimit
        let signal = model.signalIndex, spike = model.spikeIndex
        let initial = model.observables(start)
        var trackers = [EscapeTracker](repeating: EscapeTracker(start: initial, threshold: threshold), count: cells)
        // s[g * cells + j]: group g of cell j.
        var s = [Double](repeating: 0, count: n * cells)
        for g in 0..<n { for j in 0..<cells { s[g * cells + j] = start[g] } }
        var t = [Double](repeating: 0, count: cells)
        var escaped = [Bool](repeating: false, count: cells)
        var unescaped = cells
        // Per cell, the running max of |b/a| since step 0; handed to the tracker just before its
        // escape (or final) observation, so only steps 0…escape count. Max is exact, so the
        // result is the per-cell `notePeak` one bit for bit.
        var peak = [Double](repeating: trackers[0].peakRatio, count: cells)
        var diverged = false
        func state(_ j: Int, _ p: UnsafeMutableBufferPointer<Double>) -> [Double] { (0..<n).map { p[$0 * cells + j] } }
        s.withUnsafeMutableBufferPointer { sp in
            t.withUnsafeMutableBufferPointer { tp in
                learningRates.withUnsafeBufferPointer { lrp in
                    peak.withUnsafeMutableBufferPointer { pk in
                        var k = 1
                        while k <= steps && !diverged {
                            for j in 0..<cells { tp[j] = 0 }
                            for g in 0..<n {
                                let w = reference.weight[g], tg = reference.target[g]
                                let row = sp.baseAddress! + g * cells
                                for j in 0..<cells { tp[j] += w * (row[j] * row[j] - tg) }
                            }
                            for g in 0..<n {
                                let sg = reference.sigma[g], tg = reference.target[g]
                                let row = sp.baseAddress! + g * cells
                                // The gradient below is `ManifoldGradient.coefficient` written inline (same
                                // association, so the batched map equals DiscreteMap.rawStep bit for bit:
                                // BatchedEscapeTests; rawStep is pinned to the reference by ManifoldGradientTests).
                                // Σ value² is NaN/inf/huge iff some value is (a false alarm only costs the
                                // per-cell re-run below); unlike a max it vectorises.
                                var squares = 0.0
                                switch method {
                                case .gd:
                                    for j in 0..<cells {
                                        let x = row[j]
                                        let value = x - lrp[j] * (sg * x * (2 * sg * (x * x - tg) + tp[j]))
                                        row[j] = value
                                        squares += value * value
                                    }
                                case .specgd:
                                    for j in 0..<cells {
                                        let x = row[j]
                                        let grad = sg * x * (2 * sg * (x * x - tg) + tp[j])
                                        let value = x - (grad > 0 ? lrp[j] : (grad < 0 ? -lrp[j] : 0))
                                        row[j] = value
                                        squares += value * value
                                    }
                                case .signgd, .adam:
                                    break  // refused by DiscreteMap.init above
                                }
                                if !(squares <= limit * limit) { diverged = true }  // false for NaN too
                            }
                            let a = sp.baseAddress! + signal * cells
                            if let spike, unescaped > 0 {
                                // Own loop, after the step: keeps the update loops above vectorisable.
                                // No escaped mask needed: a cell's peak is handed over at its escape
                                // step, and the tracker ignores anything later; once every cell has
                            // escaped the loop is skipped.
                                let b = sp.baseAddress! + spike * cells
                                for j in 0..<cells {
                                    let r = abs(b[j] / a[j])
                                    pk[j] = r > pk[j] ? r : pk[j]
                                }
                            }
                            for j in 0..<cells where !escaped[j] && EscapeTracker.escapes(signal: a[j], threshold: threshold) {
                                escaped[j] = true
                                unescaped -= 1
                                trackers[j].notePeak(ratio: pk[j])
                                trackers[j].observe(step: k, model.observables(state(j, sp)))
                            }
                            k += 1
                        }
                        if !diverged && steps > 0 {
                            for j in 0..<cells {
                                trackers[j].notePeak(ratio: pk[j])  // no-op for escaped cells
                                trackers[j].observe(step: steps, model.observables(state(j, sp)))
                            }
                        }
                    }
                }
            }
        }
        if diverged {
            // Re-run cell by cell: the cells that diverge throw the exact `DivergenceError`.
            return try learningRates.map {
                try DiscreteMap(model: model, method: method, learningRate: $0).escapeMetrics(from: start, steps: steps, threshold: threshold)
            }
        }
        return trackers.map { $0.metrics(steps: steps) }
    }
}
