/// "Component `index` rises to `threshold`": the event e(t, y) = threshold − y[index], which
/// fires (like every `ODESolver` event) when e goes from > 0 to ≤ 0.
///
/// The same event can be written as an `ODEEventFunction`; this form exists because it is
/// checked after every accepted step, and as a closure writing into an array that check cost
/// ~250 instructions a step (closure context retain, array uniqueness checks, a swap) — as much
/// as ~7% of a short spiked flow. Here it is a subtraction and a comparison.
package struct ODEThresholdCrossing: Sendable, Equatable {
    package var index: Int
    package var threshold: Double
    package init(index: Int, threshold: Double) {
        self.index = index
        self.threshold = threshold
    }
}

/// What `ODESolver`'s stepping loop watches after each accepted step. The loop is generic
/// over it so that each kind of watch is compiled into its own loop (no watch: nothing;
/// a threshold: inline arithmetic; functions: the closure).
protocol ODEEventWatch {
    /// Whether anything is watched (the step start is saved only then, for re-integration).
    var isActive: Bool { get }
    /// Takes the event values at (t, y) as the reference the next step is compared with.
    mutating func begin(_ t: Double, _ y: UnsafePointer<Double>)
    /// The first event with e > 0 at the reference and e ≤ 0 at (t, y), else nil after
    /// making (t, y) the new reference.
    mutating func advanced(_ t: Double, _ y: UnsafePointer<Double>) -> Int?
    /// The first event crossed between the reference and (t, y), leaving the reference alone
    /// (bisection trials inside a step).
    mutating func crossed(_ t: Double, _ y: UnsafePointer<Double>) -> Int?
}

/// Nothing watched.
struct NoEventWatch: ODEEventWatch {
    var isActive: Bool { false }
    func begin(_ t: Double, _ y: UnsafePointer<Double>) {}
    func advanced(_ t: Double, _ y: UnsafePointer<Double>) -> Int? { nil }
    func crossed(_ t: Double, _ y: UnsafePointer<Double>) -> Int? { nil }
}

/// One `ODEThresholdCrossing` (event index 0).
struct ThresholdWatch: ODEEventWatch {
    let crossing: ODEThresholdCrossing
    var before = 0.0
    init(_ crossing: ODEThresholdCrossing) { self.crossing = crossing }

    var isActive: Bool { true }

    @inline(__always)
    func value(_ y: UnsafePointer<Double>) -> Double { crossing.threshold - y[crossing.index] }

    mutating func begin(_ t: Double, _ y: UnsafePointer<Double>) { before = value(y) }

    @inline(__always)
    mutating func advanced(_ t: Double, _ y: UnsafePointer<Double>) -> Int? {
        let after = value(y)
        if before > 0 && !(after > 0) { return 0 }
        before = after
        return nil
    }

    func crossed(_ t: Double, _ y: UnsafePointer<Double>) -> Int? {
        before > 0 && !(value(y) > 0) ? 0 : nil
    }
}

/// `count` events computed by a closure into scratch arrays.
struct FunctionWatch: ODEEventWatch {
    let function: ODEEventFunction
    var before: [Double]
    var after: [Double]
    init(count: Int, function: @escaping ODEEventFunction) {
        self.function = function
        before = [Double](repeating: 0, count: count)
        after = before
    }

    var isActive: Bool { true }

    mutating func begin(_ t: Double, _ y: UnsafePointer<Double>) {
        before.withUnsafeMutableBufferPointer { function(t, y, $0.baseAddress!) }
    }

    mutating func advanced(_ t: Double, _ y: UnsafePointer<Double>) -> Int? {
        if let j = crossed(t, y) { return j }
        swap(&before, &after)
        return nil
    }

    /// Evaluates into `after` and compares it with `before`.
    mutating func crossed(_ t: Double, _ y: UnsafePointer<Double>) -> Int? {
        after.withUnsafeMutableBufferPointer { function(t, y, $0.baseAddress!) }
        for j in 0..<before.count where before[j] > 0 && !(after[j] > 0) { return j }
        return nil
    }
}
