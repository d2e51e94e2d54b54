import Model
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
                                     from start: [Double], steps: Int, threshold: Double = 0.5,
                                     cancellation: CancellationToken? = nil, progress: SpecgdSupport.Progress? = nil) throws -> [EscapeMetrics] {
        try escapeResults(model: model, method: method, learningRates: learningRates, from: start, steps: steps, threshold: threshold,
                          cancellation: cancellation, progress: progress)
            .map { try $0.get() }
    }

    /// `escapeMetrics` with each cell's outcome apart: a cell that diverges holds the exact
    /// `DivergenceError` its own run throws, and the other cells keep their metrics (a sweep
    /// records both). Bad input still throws, and so does a cancelled `cancellation`
    /// (`RunInterrupted`, polled with `progress` as `MapPoll` says: every `pollInterval` steps
    /// of the whole batch).
    public static func escapeResults(model: GroupedModel, method: Method, learningRates: [Double],
                                     from start: [Double], steps: Int, threshold: Double = 0.5,
                                     cancellation: CancellationToken? = nil,
                                     progress: SpecgdSupport.Progress? = nil) throws -> [Result<EscapeMetrics, any Error>] {
        try BatchedEscapeWatch.validate(model: model, learningRates: learningRates, start: start, steps: steps, threshold: threshold)
        let cells = learningRates.count, n = model.count
        guard cells > 0 else { return [] }
        let reference = try DiscreteMap(model: model, method: method, learningRate: learningRates[0])
        let limit = reference.explosionLimit
        var watch = BatchedEscapeWatch(model: model, start: start, cells: cells, threshold: threshold)
        // s[g * cells + j]: group g of cell j.
        var s = [Double](repeating: 0, count: n * cells)
        for g in 0..<n { for j in 0..<cells { s[g * cells + j] = start[g] } }
        var t = [Double](repeating: 0, count: cells)
        var diverged = false
        let poll = MapPoll(cancellation: cancellation, progress: progress, cells: cells)
        func state(_ j: Int, _ p: UnsafeMutableBufferPointer<Double>) -> [Double] { (0..<n).map { p[$0 * cells + j] } }
        try s.withUnsafeMutableBufferPointer { sp in
            try t.withUnsafeMutableBufferPointer { tp in
                try learningRates.withUnsafeBufferPointer { lrp in
                    var k = 1
                    var untilPoll = pollInterval
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
                            case .signgd, .adam, .rule:
                                break  // refused by DiscreteMap.init above
                            }
                            if !(squares <= limit * limit) { diverged = true }  // false for NaN too
                        }
                        watch.observe(step: k, s: UnsafePointer(sp.baseAddress!)) { state($0, sp) }
                        untilPoll -= 1
                        if untilPoll == 0, poll.active {
                            untilPoll = pollInterval
                            try poll(k)
                        }
                        k += 1
                    }
                    if !diverged && steps > 0 { watch.finish(steps: steps, s: UnsafePointer(sp.baseAddress!)) { state($0, sp) } }
                }
            }
        }
        if diverged {
            // Re-run cell by cell: the cells that diverge give the exact `DivergenceError`.
            return learningRates.map { lr in
                Result { try DiscreteMap(model: model, method: method, learningRate: lr)
                    .escapeMetrics(from: start, steps: steps, threshold: threshold, cancellation: cancellation, progress: progress) }
            }
        }
        return watch.metrics(steps: steps).map { .success($0) }
    }
}

/// The escape bookkeeping of a batch of cells stepped together in struct-of-arrays layout
/// (s[g·cells + j] is group g of cell j), shared by the batched discrete map and the batched
/// optimizer map. Per cell the running max of |b/a| since step 0 is handed to the cell's
/// tracker just before its escape (or final) observation, so only steps 0…escape count; max
/// is exact, so the result equals the one-cell `EscapeProbe` path bit for bit.
struct BatchedEscapeWatch {
    let model: GroupedModel
    let cells: Int
    let threshold: Double
    private var trackers: [EscapeTracker]
    private var peak: [Double]
    private var escaped: [Bool]
    private var unescaped: Int

    init(model: GroupedModel, start: [Double], cells: Int, threshold: Double) {
        self.model = model
        self.cells = cells
        self.threshold = threshold
        let tracker = EscapeTracker(start: model.observables(start), threshold: threshold)
        trackers = Array(repeating: tracker, count: cells)
        peak = Array(repeating: tracker.peakRatio, count: cells)
        escaped = Array(repeating: false, count: cells)
        unescaped = cells
    }

    /// After step k: the peaks, then the cells that escape at k. `coefficients(j)` is cell j's state.
    mutating func observe(step k: Int, s: UnsafePointer<Double>, coefficients: (Int) -> [Double]) {
        let a = s + model.signalIndex * cells
        if let spike = model.spikeIndex, unescaped > 0 {
            // Own loop, after the step: keeps the update loops vectorisable. No escaped mask
            // needed: a cell's peak is handed over at its escape step and the tracker ignores
            // anything later; once every cell has escaped the loop is skipped.
            let b = s + spike * cells, cells = cells
            peak.withUnsafeMutableBufferPointer { pk in
                for j in 0..<cells {
                    let r = abs(b[j] / a[j])
                    pk[j] = r > pk[j] ? r : pk[j]
                }
            }
        }
        for j in 0..<cells where !escaped[j] && EscapeTracker.escapes(signal: a[j], threshold: threshold) {
            escaped[j] = true
            unescaped -= 1
            trackers[j].notePeak(ratio: peak[j])
            trackers[j].observe(step: k, model.observables(coefficients(j)))
        }
    }

    /// The final observation of every cell after `steps` (> 0) steps.
    mutating func finish(steps: Int, s: UnsafePointer<Double>, coefficients: (Int) -> [Double]) {
        for j in 0..<cells {
            trackers[j].notePeak(ratio: peak[j])  // no-op for escaped cells
            trackers[j].observe(step: steps, model.observables(coefficients(j)))
        }
    }

    func metrics(steps: Int) -> [EscapeMetrics] { trackers.map { $0.metrics(steps: steps) } }

    /// The batched escapes' input checks, before anything runs.
    static func validate(model: GroupedModel, learningRates: [Double], start: [Double], steps: Int, threshold: Double) throws {
        try Validate.positive(threshold, "escape threshold")
        try Validate.atLeast(steps, 0, "steps")
        for lr in learningRates { try Validate.positive(lr, "lr") }
        guard start.count == model.count else {
            throw InputError("start has \(start.count) coefficients for \(model.count) groups")
        }
        for value in start { try Validate.finite(value, "initial coefficient") }
    }
}

extension OptimizerMap {
    /// `escapeMetrics` for many learning rates of one model and optimizer at once — the cells of
    /// a (λ, η) phase diagram that share λ. Returns exactly (bit for bit) what
    /// `OptimizerMap(model:optimizer:learningRate: lr).escapeMetrics(from:steps:threshold:)`
    /// returns for each lr, in order.
    ///
    /// Why: one trajectory is a serial chain (Muon's step is ~200 dependent cycles: the gradient,
    /// ‖U‖_F's square root and division, K rounds of the polynomial), so a single run is bound
    /// by latency; the cells of a batch are independent and fill the vector units instead.
    /// Every cell runs `rawStep`'s expressions in the same order as its one-cell run. A batch
    /// that diverges is re-run cell by cell so the error is the one `escapeMetrics` throws.
    public static func escapeMetrics(model: GroupedModel, optimizer: Optimizer, learningRates: [Double],
                                     from start: [Double], steps: Int, threshold: Double = 0.5,
                                     cancellation: CancellationToken? = nil, progress: SpecgdSupport.Progress? = nil) throws -> [EscapeMetrics] {
        try escapeResults(model: model, optimizer: optimizer, learningRates: learningRates, from: start, steps: steps, threshold: threshold,
                          cancellation: cancellation, progress: progress)
            .map { try $0.get() }
    }

    /// `escapeMetrics` with each cell's outcome apart, as `DiscreteMap.escapeResults` (the
    /// same cancellation and progress).
    public static func escapeResults(model: GroupedModel, optimizer: Optimizer, learningRates: [Double],
                                     from start: [Double], steps: Int, threshold: Double = 0.5,
                                     cancellation: CancellationToken? = nil,
                                     progress: SpecgdSupport.Progress? = nil) throws -> [Result<EscapeMetrics, any Error>] {
        try BatchedEscapeWatch.validate(model: model, learningRates: learningRates, start: start, steps: steps, threshold: threshold)
        let maps = try learningRates.map { try OptimizerMap(model: model, optimizer: optimizer, learningRate: $0) }
        guard let reference = maps.first else { return [] }
        let cells = maps.count, total = model.count * cells
        let limit = reference.explosionLimit
        let x = Buffers(start: start, maps: maps)
        defer { x.deallocate() }
        var watch = BatchedEscapeWatch(model: model, start: start, cells: cells, threshold: threshold)
        let poll = MapPoll(cancellation: cancellation, progress: progress, cells: cells)
        let diverged = try reference.withConstants { constants -> Bool in
            let s = UnsafePointer(x.s), batch = OptimizerMap.CellBatch(count: cells)
            var k = 1
            var untilPoll = DiscreteMap.pollInterval
            while k <= steps {
                reference.rawStep(x, constants, batch, step: k)
                // Σ s² is NaN/inf/huge iff some |s| is (a false alarm only costs the re-run
                // below); unlike a max it vectorises.
                var squares = 0.0
                for i in 0..<total { squares += s[i] * s[i] }
                if !(squares <= limit * limit) { return true }  // false for NaN too
                watch.observe(step: k, s: s) { x.coefficients(cell: $0) }
                untilPoll -= 1
                if untilPoll == 0, poll.active {
                    untilPoll = DiscreteMap.pollInterval
                    try poll(k)
                }
                k += 1
            }
            if steps > 0 { watch.finish(steps: steps, s: s) { x.coefficients(cell: $0) } }
            return false
        }
        if diverged {
            return maps.map { map in
                Result { try map.escapeMetrics(from: start, steps: steps, threshold: threshold, cancellation: cancellation, progress: progress) }
            }
        }
        return watch.metrics(steps: steps).map { .success($0) }
    }
}
