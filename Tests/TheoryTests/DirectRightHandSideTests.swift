import NumericKit
import Testing
import Model
import Theory

/// The GD flow hands GSL a C right-hand side (`ODESystem.direct`) for speed; it must be the
/// same function as the Swift closure, bit for bit.
@Suite struct DirectRightHandSideTests {
    private func integrate(_ system: ODESystem, _ stepper: ODEStepper, start: [Double]) throws -> [Double] {
        let solver = try ODESolver(system: system, stepper: stepper, absoluteTolerance: 1e-10, relativeTolerance: 1e-10)
        try solver.reset(time: 0, state: start)
        try solver.advance(to: 2.5)
        return solver.state
    }

    @Test func directAndClosureRightHandSidesAreIdentical() throws {
        // Three groups take the straight-line right-hand side: the spiked model, and one whose
        // σ, p and targets are all different from it (and in another order).
        let threeGroups = try GroupedModel(groups: [Group(name: "x", eigenvalue: 0.7, multiplicity: 5),
                                                    Group(name: "s", eigenvalue: 2.3, multiplicity: 1, target: 1),
                                                    Group(name: "z", eigenvalue: 1.9, multiplicity: 40)])
        for model in [try GroupedModel.spiked(lambda: 8, dimension: 1000), threeGroups,
                      try GroupedModel.powerLaw(beta: 1, dimension: 50, signalIndex: 3)] {
            let flow = try GroupedFlow(model: model, kind: .gradient)
            let direct = flow.system()
            #expect(direct.direct != nil)
            // Pointwise: same numbers from both forms on an arbitrary state.
            let y = (0..<model.count).map { 0.1 + 0.37 * Double($0) }
            var a = [Double](repeating: 0, count: model.count), b = a
            direct.rightHandSide(0, y, &a)
            let status = y.withUnsafeBufferPointer { py in
                b.withUnsafeMutableBufferPointer { pb in
                    direct.direct!.function(0, py.baseAddress, pb.baseAddress, direct.direct!.context)
                }
            }
            #expect(status == 0)
            #expect(a == b)
            // Whole integrations: direct (rk8pd, rkf45) vs closure only.
            var closureOnly = direct
            closureOnly.direct = nil
            let start = model.identityStart(alpha: 1e-3)
            for stepper in [ODEStepper.rk8pd, .rkf45] {
                #expect(try integrate(direct, stepper, start: start) == integrate(closureOnly, stepper, start: start))
            }
            // A Jacobian stepper ignores the direct form and still agrees to the tolerance.
            let implicit = try integrate(direct, .bsimp, start: start)
            let explicit = try integrate(direct, .rk8pd, start: start)
            #expect(zip(implicit, explicit).allSatisfy { abs($0 - $1) < 1e-7 })
        }
    }
}
