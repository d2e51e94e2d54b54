import CGSL
import SpecgdSupport

/// Holds the Swift closures behind GSL's `void *params`; GSL calls back through
/// `@convention(c)` trampolines that recover it with `Unmanaged` (no allocation per call).
final class ODECallbackBox {
    let rightHandSide: ODESystem.RightHandSide
    let jacobian: ODESystem.Jacobian?
    /// Keeps a direct right-hand side's context alive.
    let directOwner: AnyObject?
    init(_ system: ODESystem) {
        rightHandSide = system.rightHandSide
        jacobian = system.jacobian
        directOwner = system.direct?.owner
    }
}

private let rhsTrampoline: @convention(c) (Double, UnsafePointer<Double>?, UnsafeMutablePointer<Double>?, UnsafeMutableRawPointer?) -> Int32 = { t, y, dydt, params in
    let box = Unmanaged<ODECallbackBox>.fromOpaque(params!).takeUnretainedValue()
    box.rightHandSide(t, y!, dydt!)
    return Int32(GSL_SUCCESS)
}

private let jacobianTrampoline: @convention(c) (Double, UnsafePointer<Double>?, UnsafeMutablePointer<Double>?, UnsafeMutablePointer<Double>?, UnsafeMutableRawPointer?) -> Int32 = { t, y, dfdy, dfdt, params in
    let box = Unmanaged<ODECallbackBox>.fromOpaque(params!).takeUnretainedValue()
    guard let jacobian = box.jacobian else { return Int32(GSL_EBADFUNC) }
    jacobian(t, y!, dfdy!, dfdt!)
    return Int32(GSL_SUCCESS)
}

/// An adaptive integrator over GSL's `odeiv2` driver (step + standard y-control + evolve),
/// with output at requested times and optional event location.
///
/// Error control: GSL's `control_y_new(absTol, relTol)` — the local error of each
/// component is kept below absTol + relTol·|y_i|.
///
/// Events are located in Swift on top of `evolve_apply`: after an accepted step whose end
/// has some e_j ≤ 0 that was > 0 at its start, the interval is re-integrated from the saved
/// step start (`driver_apply`, same tolerances) to bisected end times until the crossing time
/// is bracketed to `eventTimeTolerance`. The solver stops just past the crossing (e_j ≤ 0
/// there). One-step methods re-integrate with themselves (usually one step); the multistep
/// msadams/msbdf, whose history a restart destroys, use an rk8pd helper for these trials.
package final class ODESolver {
    package let stepper: ODEStepper
    package let dimension: Int
    package let absoluteTolerance: Double
    package let relativeTolerance: Double
    package var eventTimeTolerance: Double = 1e-13
    /// Safety bound on accepted steps per `advance` call.
    package var maximumSteps: Int = 50_000_000
    /// Upper bound on the step length. Event detection compares the event functions at the
    /// ends of each accepted step, so two crossings inside one step would go unseen: a cap
    /// bounds the time scale below which events can be missed.
    package var maximumStepSize: Double = .infinity
    package private(set) var time: Double = 0
    /// Accepted steps so far (event bisection trials excluded).
    package private(set) var stepsTaken: Int = 0
    package private(set) var eventsLocated: Int = 0

    private let box: ODECallbackBox
    private let system: UnsafeMutablePointer<gsl_odeiv2_system>
    private let driver: UnsafeMutablePointer<gsl_odeiv2_driver>
    /// rk8pd driver for event-location trials of multistep steppers.
    private let helper: UnsafeMutablePointer<gsl_odeiv2_driver>?
    private var stepSize: Double
    private let y: UnsafeMutablePointer<Double>
    private let saved: UnsafeMutablePointer<Double>
    private let trial: UnsafeMutablePointer<Double>

    package init(system ode: ODESystem, stepper: ODEStepper, absoluteTolerance: Double = 1e-10,
                relativeTolerance: Double = 1e-10, initialStep: Double = 1e-6) throws {
        try Validate.atLeast(ode.dimension, 1, "ODE dimension")
        try Validate.nonNegative(absoluteTolerance, "abs-tol")
        try Validate.nonNegative(relativeTolerance, "rel-tol")
        guard absoluteTolerance > 0 || relativeTolerance > 0 else {
            throw InputError("abs-tol and rel-tol cannot both be 0")
        }
        try Validate.positive(initialStep, "initial step")
        if stepper.needsJacobian && ode.jacobian == nil {
            throw InputError("stepper \(stepper.rawValue) needs the Jacobian, which this system does not provide")
        }
        specgd_gsl_quiet_errors()
        self.stepper = stepper
        self.dimension = ode.dimension
        self.absoluteTolerance = absoluteTolerance
        self.relativeTolerance = relativeTolerance
        self.stepSize = initialStep
        box = ODECallbackBox(ode)
        system = .allocate(capacity: 1)
        if let direct = ode.direct, !stepper.needsJacobian {
            // The event helper (rk8pd) needs no Jacobian either.
            system.initialize(to: gsl_odeiv2_system(
                function: direct.function, jacobian: nil, dimension: ode.dimension, params: direct.context))
        } else {
            system.initialize(to: gsl_odeiv2_system(
                function: rhsTrampoline, jacobian: jacobianTrampoline, dimension: ode.dimension,
                params: Unmanaged.passUnretained(box).toOpaque()))
        }
        guard let d = gsl_odeiv2_driver_alloc_y_new(system, stepper.gslType, initialStep, absoluteTolerance, relativeTolerance) else {
            system.deallocate()
            throw NumericalFailure("GSL odeiv2", "could not allocate the \(stepper.rawValue) driver")
        }
        driver = d
        helper = stepper.isMultistep
            ? gsl_odeiv2_driver_alloc_y_new(system, ODEStepper.rk8pd.gslType, initialStep, absoluteTolerance, relativeTolerance)
            : nil
        y = .allocate(capacity: ode.dimension)
        saved = .allocate(capacity: ode.dimension)
        trial = .allocate(capacity: ode.dimension)
        y.initialize(repeating: 0, count: ode.dimension)
        saved.initialize(repeating: 0, count: ode.dimension)
        trial.initialize(repeating: 0, count: ode.dimension)
    }

    deinit {
        gsl_odeiv2_driver_free(driver)
        if let helper { gsl_odeiv2_driver_free(helper) }
        system.deinitialize(count: 1)
        system.deallocate()
        y.deallocate()
        saved.deallocate()
        trial.deallocate()
    }

    /// The current state (a copy).
    package var state: [Double] { Array(UnsafeBufferPointer(start: y, count: dimension)) }

    /// Read-only access to the current state without copying.
    package func withState<R>(_ body: (UnsafePointer<Double>) throws -> R) rethrows -> R { try body(y) }

    /// Restarts at (t, y₀): clears the stepper's history (multistep methods restart).
    package func reset(time t: Double, state start: [Double], initialStep: Double? = nil) throws {
        guard start.count == dimension else { throw InputError("initial state has \(start.count) entries for \(dimension) unknowns") }
        for value in start { try Validate.finite(value, "initial state") }
        time = t
        for i in 0..<dimension { y[i] = start[i] }
        if let initialStep { stepSize = initialStep }
        gsl_odeiv2_driver_reset(driver)
    }

    /// Integrates to exactly `t1` (adaptive steps, never beyond t1).
    package func advance(to t1: Double) throws {
        var watch = NoEventWatch()
        _ = try advance(to: t1, watching: &watch)
    }

    /// Integrates towards `t1`, stopping early just past the first event crossing (the index
    /// of the event that fired is returned; nil when t1 was reached with no event).
    package func advance(to t1: Double, eventCount: Int, events: ODEEventFunction?) throws -> Int? {
        guard let events, eventCount > 0 else {
            try advance(to: t1)
            return nil
        }
        var watch = FunctionWatch(count: eventCount, function: events)
        return try advance(to: t1, watching: &watch)
    }

    /// Integrates towards `t1`, stopping early just past the point where y[crossing.index]
    /// rises to crossing.threshold (true), located like any event; false when t1 was reached first.
    package func advance(to t1: Double, until crossing: ODEThresholdCrossing) throws -> Bool {
        var watch = ThresholdWatch(crossing)
        return try advance(to: t1, watching: &watch) != nil
    }

    /// The stepping loop, compiled once per kind of watch.
    private func advance<Watch: ODEEventWatch>(to t1: Double, watching watch: inout Watch) throws -> Int? {
        guard t1 > time else { return nil }
        let d = driver
        if watch.isActive { watch.begin(time, y) }
        // The hot loop works on locals and writes them back before anything can observe
        // `self` (events, throws, return): class properties cost a dynamic exclusivity check
        // per access (callgrind: ~6% of a 3-group flow's instructions).
        var now = time, h = stepSize, accepted = 0
        let cap = maximumStepSize, limit = maximumSteps
        func commit() {
            time = now
            stepSize = h
            stepsTaken += accepted
            accepted = 0
        }
        var count = 0
        while now < t1 {
            let t0 = now
            if watch.isActive { saved.update(from: y, count: dimension) }
            if h > cap { h = cap }
            let status = gsl_odeiv2_evolve_apply(d.pointee.e, d.pointee.c, d.pointee.s, system, &now, t1, &h, y)
            guard status == Int32(GSL_SUCCESS) else { commit(); throw failure(status, at: now) }
            accepted += 1
            // A while loop with wrapping increments: `for i in 0..<dimension` adds a range
            // precondition and an index check per element to a loop run after every step.
            var finite = true, i = 0
            while i < dimension {
                if !y[i].isFinite { finite = false }
                i &+= 1
            }
            if !finite { commit(); try checkFinite() }
            count += 1
            if count > limit { commit(); throw ODEError(status: Int32(GSL_EMAXITER), time: now, message: "more than \(limit) steps; loosen the tolerances") }
            guard let fired = watch.advanced(now, y) else { continue }
            commit()
            return try locate(from: t0, length: now - t0, fired: fired, watching: &watch)
        }
        commit()
        return nil
    }

    /// Re-integrates from the saved step start (t0) to t0 + length into `target`.
    private func reintegrate(from t0: Double, length: Double, into target: UnsafeMutablePointer<Double>) throws -> Double {
        let d = helper ?? driver
        gsl_odeiv2_driver_reset_hstart(d, length)
        target.update(from: saved, count: dimension)
        var t = t0
        let status = gsl_odeiv2_driver_apply(d, &t, t0 + length, target)
        guard status == Int32(GSL_SUCCESS) else { throw failure(status, at: t) }
        return t
    }

    /// Bisection over the end time of a re-integration from the saved step start.
    private func locate<Watch: ODEEventWatch>(from t0: Double, length: Double, fired: Int,
                                              watching watch: inout Watch) throws -> Int {
        var lo = 0.0, hi = length
        var firedAtHi = fired
        let tolerance = eventTimeTolerance * max(1, abs(t0))
        while hi - lo > tolerance {
            let mid = 0.5 * (lo + hi)
            if mid <= lo || mid >= hi { break }
            let t = try reintegrate(from: t0, length: mid, into: trial)
            if let j = watch.crossed(t, trial) { hi = mid; firedAtHi = j } else { lo = mid }
        }
        // Land at the upper bracket (just past the crossing).
        time = try reintegrate(from: t0, length: hi, into: y)
        gsl_odeiv2_driver_reset(driver)
        try checkFinite()
        eventsLocated += 1
        return firedAtHi
    }

    private func checkFinite() throws {
        for i in 0..<dimension where !y[i].isFinite {
            throw ODEError(status: ODEError.nonFiniteStatus, time: time, message: "component \(i) became \(y[i])")
        }
    }

    private func failure(_ status: Int32, at t: Double) -> ODEError {
        let text = String(cString: gsl_strerror(status))
        return ODEError(status: status, time: t, message: "\(stepper.rawValue) returned GSL status \(status) (\(text))")
    }
}

