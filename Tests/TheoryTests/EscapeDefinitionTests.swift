import SpecgdSupport
import Testing
import Model
import Theory

/// One escape definition (docs/model.md §5, §7): the first step with |a| ≥ a_esc, on the
/// magnitude of the signal coefficient, whichever path measures it.
@Suite struct EscapeDefinitionTests {
    @Test func theTestIsOnTheMagnitude() {
        #expect(EscapeTracker.escapes(signal: 0.5, threshold: 0.5))
        #expect(EscapeTracker.escapes(signal: -0.5, threshold: 0.5))
        #expect(!EscapeTracker.escapes(signal: 0.4999, threshold: 0.5))
        #expect(!EscapeTracker.escapes(signal: -0.4999, threshold: 0.5))
        #expect(!EscapeTracker.escapes(signal: .nan, threshold: 0.5))
    }

    /// The map is odd in every coefficient (G_g is odd in s_g, T even; sign is odd), so the run
    /// from (−α, α, α) is the mirror of the one from (α, α, α), bit for bit, and escapes at the
    /// same step with the same magnitudes — on the per-step map path and the batched one. A
    /// signed test (s_a ≥ a_esc) would find no escape in the mirrored run.
    @Test(arguments: [Method.gd, .specgd])
    func aMirroredSignalEscapesAtTheSameStep(method: Method) throws {
        let model = try GroupedModel.spiked(lambda: 8, dimension: 200)
        let start = model.identityStart(alpha: 1e-3)
        var mirrored = start
        mirrored[model.signalIndex] = -mirrored[model.signalIndex]
        let lrs = [1e-3, 4e-3]
        for lr in lrs {
            let map = try DiscreteMap(model: model, method: method, learningRate: lr)
            let expected = try map.escapeMetrics(from: start, steps: 4000, threshold: 0.5)
            #expect(expected.escapeStep != nil)
            #expect(try map.escapeMetrics(from: mirrored, steps: 4000, threshold: 0.5) == expected)
        }
        let batched = try DiscreteMap.escapeMetrics(model: model, method: method, learningRates: lrs, from: mirrored,
                                                    steps: 4000, threshold: 0.5)
        #expect(try batched == lrs.map {
            try DiscreteMap(model: model, method: method, learningRate: $0).escapeMetrics(from: start, steps: 4000, threshold: 0.5)
        })
    }

    /// A recorded table holds magnitudes; a tracker reading it back finds the escape the live
    /// tracker found on the signed states.
    @Test func aRecordedTableOfMagnitudesAgreesWithTheSignedStates() throws {
        let model = try GroupedModel.spiked(lambda: 8, dimension: 200)
        var start = model.identityStart(alpha: 1e-3)
        start[model.signalIndex] = -start[model.signalIndex]
        let map = try DiscreteMap(model: model, method: .gd, learningRate: 1e-3)
        var table = Table(columns: ["step", "a", "b", "q", "loss", "alignment", "spike_alignment"])
        var live = EscapeTracker(start: model.observables(start), threshold: 0.5)
        _ = try map.iterate(from: start, steps: 3000, every: 1, watch: { _ in false }) { k, s in
            let o = model.observables(s)
            live.observe(step: k, o)
            table.append([Double(k), abs(o.a), abs(o.b), o.q, o.loss, o.alignment, o.spikeAlignment])
        }
        let recorded = try EscapeTracker.metrics(of: table, threshold: 0.5)
        #expect(recorded.escapeStep != nil)
        #expect(recorded == live.metrics(steps: 3000))
    }
}
