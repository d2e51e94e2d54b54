import Foundation
import Testing
import Model
@testable import Theory
import NumericKit

/// Every hot path of the manifold gradient equals the one reference, `ManifoldGradient`, bit
/// for bit (same expression, same association): an edit to any copy that changes its
/// arithmetic fails here, not as a drift somewhere downstream.
@Suite struct ManifoldGradientTests {
    static let models: [GroupedModel] = [
        try! .spiked(lambda: 8, dimension: 1000),
        // Three groups unlike the spiked model's (σ, p, targets all different), for the n = 3 path.
        try! GroupedModel(groups: [Group(name: "x", eigenvalue: 0.7, multiplicity: 5),
                                   Group(name: "s", eigenvalue: 2.3, multiplicity: 1, target: 1),
                                   Group(name: "z", eigenvalue: 1.9, multiplicity: 40)]),
        try! .powerLaw(beta: 1, dimension: 12, signalIndex: 3),
        try! GroupedModel(groups: [Group(name: "a", eigenvalue: 1, multiplicity: 1, target: 1),
                                   Group(name: "b", eigenvalue: 9, multiplicity: 1),
                                   Group(name: "m", eigenvalue: 3, multiplicity: 10),
                                   Group(name: "c", eigenvalue: 1, multiplicity: 988)]),
    ]

    /// States with both signs and magnitudes from 1e-4 to 2 (seeded).
    static func states(_ n: Int) -> [[Double]] {
        var rng = Xoshiro256(seed: 11, stream: 1)
        return (0..<20).map { _ in (0..<n).map { _ in
            let u = Double.random(in: 0..<1, using: &rng)
            return (u < 0.5 ? -1 : 1) * pow(10, -4 + 4.3 * Double.random(in: 0..<1, using: &rng))
        } }
    }

    static func reference(_ model: GroupedModel, _ s: [Double]) -> [Double] {
        let p = model.groups.map { Double($0.multiplicity) }, sigma = model.groups.map(\.eigenvalue)
        let t = model.groups.map(\.target)
        let trace = ManifoldGradient.trace(multiplicities: p, eigenvalues: sigma, values: s, targets: t)
        return s.indices.map { ManifoldGradient.coefficient(eigenvalue: sigma[$0], value: s[$0], target: t[$0], trace: trace) }
    }

    @Test(arguments: 0..<4)
    func groupedModelAndFlowKernelEqualTheReference(_ index: Int) {
        let model = Self.models[index]
        let kernel = GradientKernel(model)
        for s in Self.states(model.count) {
            let expected = Self.reference(model, s)
            #expect(model.gradient(s) == expected)
            var out = [Double](repeating: .nan, count: s.count)
            s.withUnsafeBufferPointer { y in
                out.withUnsafeMutableBufferPointer { kernel.gradient(y.baseAddress!, into: $0.baseAddress!) }
            }
            #expect(out == expected)
        }
    }

    /// The switching factor h_g (flows' sign events) and the GD flow's two C right-hand sides
    /// (n groups, and the straight-line n = 3 one for every 3-group model) against the reference.
    @Test(arguments: 0..<4)
    func switchingFactorAndDirectRightHandSidesEqualTheReference(_ index: Int) {
        let model = Self.models[index]
        let kernel = GradientKernel(model)
        let p = model.groups.map { Double($0.multiplicity) }, sigma = model.groups.map(\.eigenvalue)
        let t = model.groups.map(\.target)
        for s in Self.states(model.count) {
            let trace = ManifoldGradient.trace(multiplicities: p, eigenvalues: sigma, values: s, targets: t)
            let expected = Self.reference(model, s).map { -$0 }
            s.withUnsafeBufferPointer { y in
                #expect(kernel.trace(y.baseAddress!) == trace)
                for g in s.indices {
                    #expect(kernel.switchingFactor(y.baseAddress!, g, trace: trace)
                            == ManifoldGradient.switchingFactor(eigenvalue: sigma[g], value: s[g], target: t[g], trace: trace))
                }
                var out = [Double](repeating: .nan, count: s.count)
                let context = UnsafeMutableRawPointer(kernel.storage.base)
                out.withUnsafeMutableBufferPointer { _ = gradientFlow(0, y.baseAddress, $0.baseAddress, context) }
                #expect(out == expected)
                if model.count == 3 {
                    out = [Double](repeating: .nan, count: s.count)
                    out.withUnsafeMutableBufferPointer { _ = threeGroupGradientFlow(0, y.baseAddress, $0.baseAddress, context) }
                    #expect(out == expected)
                }
            }
        }
    }

    @Test(arguments: 0..<4)
    func mapStepEqualsTheReferenceStep(_ index: Int) throws {
        let model = Self.models[index]
        for method in Method.paperMethods {
            let lr = 1e-3
            let map = try DiscreteMap(model: model, method: method, learningRate: lr)
            for s in Self.states(model.count) {
                let g = Self.reference(model, s)
                let expected = s.indices.map { i in
                    method == .gd ? s[i] - lr * g[i] : s[i] - (g[i] > 0 ? lr : (g[i] < 0 ? -lr : 0))
                }
                let after = try map.iterate(from: s, steps: 1, every: 1, watch: { _ in false }, record: { _, _ in })
                #expect(after == expected)
            }
        }
    }
}
