import Foundation
import Testing
@testable import NumericKit
import SpecgdSupport
import TestSupport

/// y₁' = y₂, y₂' = −y₁ from (1, 0): y = (cos t, −sin t), an independent closed form.
private func oscillator() -> ODESystem {
    ODESystem(dimension: 2, rightHandSide: { _, y, f in
        f[0] = y[1]
        f[1] = -y[0]
    }, jacobian: { _, _, j, dfdt in
        j[0] = 0; j[1] = 1; j[2] = -1; j[3] = 0
        dfdt[0] = 0; dfdt[1] = 0
    })
}

/// Global error of an adaptive integration of the oscillator: every accepted step keeps GSL's
/// local error estimate below abs + rel·|y| ≤ 2 tol (|y| ≤ 1), and the oscillator's flow is a
/// rotation — an isometry, so local errors are carried without growth and add up: after
/// `steps` accepted steps the global error is ≤ 2 tol · steps (in the 2-norm, hence per entry).
/// The step count is the solver's own (a p-th order stepper takes ~ tol^(−1/(p+1)) of them),
/// so the bound follows the requested tolerance and the stepper's convergence order.
private func oscillatorErrorBound(_ solver: ODESolver, tolerance: Double) -> Double {
    2 * tolerance * Double(max(solver.stepsTaken, 1))
}

@Suite struct ODESolverTests {
    @Test(arguments: ODEStepper.allCases)
    func everyStepperSolvesTheOscillator(stepper: ODEStepper) throws {
        // Low-order steppers get a looser tolerance so the test stays fast in debug.
        let tolerance = [.rk2, .rk1imp, .rk2imp].contains(stepper) ? 1e-8 : 1e-11
        let solver = try ODESolver(system: oscillator(), stepper: stepper, absoluteTolerance: tolerance, relativeTolerance: tolerance)
        try solver.reset(time: 0, state: [1, 0])
        var worst = 0.0
        for t in stride(from: 0.25, through: 2.0, by: 0.25) {
            try solver.advance(to: t)
            #expect(solver.time == t)
            let y = solver.state
            worst = max(worst, abs(y[0] - cos(t)), abs(y[1] + sin(t)))
        }
        #expect(worst < oscillatorErrorBound(solver, tolerance: tolerance), "\(stepper): error \(worst) after \(solver.stepsTaken) steps")
        #expect(worst > 0 || stepper == .rk8pd)
    }

    @Test func stepperNamesParseAndRejectUnknown() throws {
        #expect(try ODEStepper.named("RK8PD") == .rk8pd)
        #expect(throws: InputError.self) { try ODEStepper.named("euler") }
        #expect(ODEStepper.allCases.count == 11)
    }

    @Test func implicitStepperWithoutJacobianIsAnInputError() {
        let system = ODESystem(dimension: 1, rightHandSide: { _, y, f in f[0] = -y[0] })
        #expect(throws: InputError("stepper msbdf needs the Jacobian, which this system does not provide")) {
            try ODESolver(system: system, stepper: .msbdf)
        }
    }

    @Test(arguments: [ODEStepper.rk8pd, .rkf45, .rk4imp, .msbdf, .msadams])
    func eventIsLocatedAtTheZeroOfCosine(stepper: ODEStepper) throws {
        let solver = try ODESolver(system: oscillator(), stepper: stepper, absoluteTolerance: 1e-12, relativeTolerance: 1e-12)
        try solver.reset(time: 0, state: [1, 0])
        let fired = try solver.advance(to: 3, eventCount: 1) { _, y, e in e[0] = y[0] }
        #expect(fired == 0)
        // The crossing is bisected to eventTimeTolerance·max(1, t); the state carries the
        // integration error, which moves the zero of y₁ = cos t by error/|y₁'| (|y₁'| = 1 there).
        let location = solver.eventTimeTolerance * Double.pi / 2 + oscillatorErrorBound(solver, tolerance: 1e-12)
        #expect(abs(solver.time - Double.pi / 2) < location, "located at \(solver.time)")
        #expect(solver.state[0] <= 0)
        // Continuing past it, no further downward crossing before 3.
        #expect(try solver.advance(to: 3, eventCount: 1) { _, y, e in e[0] = y[0] } == nil)
        #expect(abs(solver.state[0] - cos(3.0)) < oscillatorErrorBound(solver, tolerance: 1e-12))
    }

    /// `advance(to:until:)` is the event threshold − y[index] in its own form: it must find the
    /// crossing where the closure form does, bit for bit, and stop there.
    @Test(arguments: [ODEStepper.rk8pd, .rkf45, .msadams])
    func thresholdCrossingIsTheClosureEvent(stepper: ODEStepper) throws {
        // y₂ = −sin t rises to 0.5 at t = 7π/6 (after first falling to −1).
        let crossing = ODEThresholdCrossing(index: 1, threshold: 0.5)
        let direct = try ODESolver(system: oscillator(), stepper: stepper, absoluteTolerance: 1e-12, relativeTolerance: 1e-12)
        try direct.reset(time: 0, state: [1, 0])
        #expect(try direct.advance(to: 3, until: crossing) == false)
        #expect(direct.time == 3)
        #expect(try direct.advance(to: 6, until: crossing))
        // As above; the slope of y₂ = −sin t at 7π/6 is cos(π/6) = 0.866.
        let location = direct.eventTimeTolerance * 7 * Double.pi / 6
            + oscillatorErrorBound(direct, tolerance: 1e-12) / cos(Double.pi / 6)
        #expect(abs(direct.time - 7 * Double.pi / 6) < location, "located at \(direct.time)")
        #expect(direct.state[1] >= 0.5)

        let closure = try ODESolver(system: oscillator(), stepper: stepper, absoluteTolerance: 1e-12, relativeTolerance: 1e-12)
        try closure.reset(time: 0, state: [1, 0])
        let event: ODEEventFunction = { _, y, e in e[0] = 0.5 - y[1] }
        #expect(try closure.advance(to: 3, eventCount: 1, events: event) == nil)
        #expect(try closure.advance(to: 6, eventCount: 1, events: event) == 0)
        #expect(direct.time == closure.time)
        #expect(direct.state == closure.state)
        #expect(direct.stepsTaken == closure.stepsTaken)
        #expect(direct.eventsLocated == 1 && closure.eventsLocated == 1)

        // Already past the threshold: no new crossing while y₂ stays above it (until 11π/6).
        #expect(try direct.advance(to: 5, until: crossing) == false)
        #expect(direct.time == 5)
    }

    @Test func blowUpThrowsNamingTheTime() throws {
        // y' = y², y(0) = 1: y = 1/(1 − t) blows up at t = 1.
        let system = ODESystem(dimension: 1, rightHandSide: { _, y, f in f[0] = y[0] * y[0] })
        let solver = try ODESolver(system: system, stepper: .rkf45, absoluteTolerance: 1e-8, relativeTolerance: 1e-8)
        try solver.reset(time: 0, state: [1])
        do {
            try solver.advance(to: 2)
            Issue.record("no error past the blow-up")
        } catch let error as ODEError {
            // A bracket, not an accuracy claim: at rel. tol 1e-8 the integrator follows
            // 1/(1 − t) far beyond y = 100 (t = 0.99), and the failure must come at the pole,
            // not after it; 1e-6 is 100 × the tolerance in t (GSL's last steps shrink below it).
            #expect(error.time > 0.99 && error.time <= 1.0 + 100 * 1e-8, "\(error)")
            #expect(error.description.contains("t = "))
        }
    }
}
