import Testing
import Model
@testable import Theory

/// `GroupedModel.observables` sums over the bulk groups in place (no index arrays); these
/// check it against the definitions written out longhand, for every shape of bulk.
@Suite struct ObservablesTests {
    /// The definitions of `Observables`, spelled out over explicit index lists.
    private func reference(_ model: GroupedModel, _ s: [Double]) -> Observables {
        let signal = model.signalIndex, spike = model.spikeIndex
        let bulk = model.groups.indices.filter { $0 != signal && $0 != spike }
        var q = 0.0
        for g in bulk { q += Double(model.groups[g].multiplicity) * s[g] * s[g] }
        let count = bulk.reduce(0) { $0 + model.groups[$1].multiplicity }
        let c = bulk.count == 1 ? s[bulk[0]] : (bulk.isEmpty ? 0 : (q / Double(count)).squareRoot())
        let a = s[signal], b = spike.map { s[$0] } ?? 0
        let ab = a * a + b * b
        return Observables(a: a, b: b, c: c, q: q, trace: model.trace(s), loss: model.loss(s),
                           alignment: model.alignment(s), spikeAlignment: ab > 0 ? a * a / ab : 0)
    }

    private func state(_ model: GroupedModel) -> [Double] {
        model.groups.indices.map { 0.3 - 0.17 * Double($0) }
    }

    @Test func observablesMatchTheirDefinitions() throws {
        let models = [
            try GroupedModel.spiked(lambda: 8, dimension: 1000),
            // Many bulk groups (c is their RMS); the spike is the largest non-signal eigenvalue.
            try GroupedModel.powerLaw(beta: 1, dimension: 12, signalIndex: 4),
            // One bulk group that is neither last nor named c: c is its signed coefficient.
            try GroupedModel(groups: [Group(name: "bulk", eigenvalue: 0.5, multiplicity: 7),
                                      Group(name: "b", eigenvalue: 3, multiplicity: 1),
                                      Group(name: "a", eigenvalue: 1.2, multiplicity: 1, target: 1)]),
            // No bulk at all: c = 0, q = 0.
            try GroupedModel(groups: [Group(name: "a", eigenvalue: 1, multiplicity: 1, target: 1),
                                      Group(name: "b", eigenvalue: 2, multiplicity: 1)]),
        ]
        for model in models {
            let s = state(model)
            let o = model.observables(s)
            #expect(o == reference(model, s), "\(model.groups.map(\.name))")
            #expect(model.bulkMass(s) == o.q)
        }
        // The single bulk group really is reported signed (s = -0.04 there).
        let single = models[2]
        #expect(single.observables(state(single)).c == state(single)[0])
        #expect(models[3].observables(state(models[3])).c == 0)
    }

    @Test func spikedLayoutIsExactlyTheThreeNamedGroups() throws {
        #expect(try GroupedModel.spiked(lambda: 2, dimension: 10).isSpikedLayout)
        #expect(!(try GroupedModel.powerLaw(beta: 1, dimension: 3, signalIndex: 1).isSpikedLayout))
        let reordered = try GroupedModel(groups: [Group(name: "b", eigenvalue: 2, multiplicity: 1),
                                                  Group(name: "a", eigenvalue: 1, multiplicity: 1, target: 1),
                                                  Group(name: "c", eigenvalue: 1, multiplicity: 5)])
        #expect(!reordered.isSpikedLayout)
        let extra = try GroupedModel(groups: [Group(name: "a", eigenvalue: 1, multiplicity: 1, target: 1),
                                              Group(name: "b", eigenvalue: 2, multiplicity: 1),
                                              Group(name: "c", eigenvalue: 1, multiplicity: 5),
                                              Group(name: "d", eigenvalue: 0.5, multiplicity: 2)])
        #expect(!extra.isSpikedLayout)
    }
}
