import Foundation
import Testing
import Model
@testable import Theory
import SpecgdSupport
import TestSupport

@Suite struct SpectraTests {
    /// σ = (1, 1+λ, 1, …, 1) with θ* on index 1 merges into the three spiked groups and
    /// gives bit-identical trajectories to `spiked(lambda:dimension:)`.
    @Test(arguments: [Method.gd, .specgd])
    func diagonalSpikedSpectrumIsTheSpikedModel(method: Method) throws {
        let lambda = 4.0, d = 50
        let spiked = try GroupedModel.spiked(lambda: lambda, dimension: d)
        let diagonal = try GroupedModel.diagonal(eigenvalues: [1, 1 + lambda] + Array(repeating: 1, count: d - 2), signalIndex: 1)
        #expect(diagonal.groups.map(\.eigenvalue) == spiked.groups.map(\.eigenvalue))
        #expect(diagonal.groups.map(\.multiplicity) == spiked.groups.map(\.multiplicity))
        #expect(diagonal.groups.map(\.target) == spiked.groups.map(\.target))
        #expect(diagonal.spikeIndex == 1)
        let lr = method == .gd ? 0.01 : 1e-3
        var first: [[Double]] = [], second: [[Double]] = []
        _ = try DiscreteMap(model: spiked, method: method, learningRate: lr).iterate(from: spiked.identityStart(alpha: 0.01), steps: 2000) { _, s in first.append(s) }
        _ = try DiscreteMap(model: diagonal, method: method, learningRate: lr).iterate(from: diagonal.identityStart(alpha: 0.01), steps: 2000) { _, s in second.append(s) }
        #expect(first == second)
    }

    @Test func powerLawHasMeanEigenvalueOneAndOneGroupPerEigenvalue() throws {
        let d = 40, beta = 1.3
        let model = try GroupedModel.powerLaw(beta: beta, dimension: d, signalIndex: 3)
        #expect(model.count == d && model.dimension == d)
        let mean = model.groups.reduce(0) { $0 + $1.eigenvalue * Double($1.multiplicity) } / Double(d)
        // Normalised to mean 1 and re-summed here: two d-term sums, each ≤ d ε relative.
        #expect(abs(mean - 1) < 2 * Double(d) * eps)
        // σ_i ∝ i^(−β): the signal group carries σ_3, the ratio σ_1/σ_3 = 3^β.
        let sigma1 = model.groups.first { $0.name == "e1" }!.eigenvalue
        // (1/1)^β / (1/3)^β via two pow calls and a division (libm pow: ≤ 1 ulp each) against
        // pow(3, β): ≤ 4 ε relative of a value 3^1.3 ≈ 4.2.
        #expect(abs(sigma1 / model.groups[model.signalIndex].eigenvalue - pow(3, beta)) < 4 * eps * pow(3, beta))
        #expect(model.groups[model.spikeIndex!].name == "e1")
        // β = 0 is Σ = I: signal plus one bulk group of d − 1.
        let flat = try GroupedModel.powerLaw(beta: 0, dimension: d, signalIndex: 1)
        #expect(flat.count == 2 && flat.groups[1].multiplicity == d - 1 && flat.groups[1].eigenvalue == 1)
    }

    @Test func powerLawRejectsBadInput() {
        #expect(throws: InputError.self) { try GroupedModel.powerLaw(beta: -1, dimension: 10, signalIndex: 1) }
        #expect(throws: InputError("signal-index must be in 1...10 (got 11)")) { try GroupedModel.powerLaw(beta: 1, dimension: 10, signalIndex: 11) }
        #expect(throws: InputError.self) { try GroupedModel.powerLaw(beta: .nan, dimension: 10, signalIndex: 1) }
    }

    @Test func configFileRoundTripsAndErrorsNameTheFile() throws {
        let directory = NSTemporaryDirectory() + "specgd-spectra-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let good = directory + "/groups.json"
        try #"{"groups":[{"name":"a","eigenvalue":1,"multiplicity":1,"target":1},{"name":"b","eigenvalue":9,"multiplicity":1},{"name":"c","eigenvalue":1,"multiplicity":998}]}"#
            .write(toFile: good, atomically: true, encoding: .utf8)
        #expect(try GroupedModel.load(configFile: good) == GroupedModel.spiked(lambda: 8, dimension: 1000))

        let cases: [(String, String)] = [
            ("{not json", "config file \(directory)/bad.json: not valid JSON"),
            (#"{"groups":[{"name":"a","eigenvalue":1,"multiplicity":1,"target":1}],"note":"spiked"}"#, "config file \(directory)/bad.json: unknown key 'note' (expected: groups)"),
            (#"{"groups":[{"name":"a","eigenvalu":1,"multiplicity":1,"target":1}]}"#, "config file \(directory)/bad.json: unknown key 'eigenvalu' in groups[0] (expected: name, eigenvalue, multiplicity, target)"),
            (#"{"groups":[{"name":"a","eigenvalue":1,"target":1}]}"#, "config file \(directory)/bad.json: missing key 'multiplicity' in groups[0]"),
            (#"{"groups":[{"name":"a","eigenvalue":"x","multiplicity":1,"target":1}]}"#, "config file \(directory)/bad.json: expected Double at groups[0].eigenvalue"),
            (#"{"groups":[{"name":"a","eigenvalue":-1,"multiplicity":1,"target":1}]}"#, "config file \(directory)/bad.json: eigenvalue of group 'a' must be > 0 (got -1.0)"),
            (#"{"groups":[{"name":"b","eigenvalue":1,"multiplicity":3}]}"#, "config file \(directory)/bad.json: exactly one group must carry the unit teacher θ* (target 1, multiplicity 1)"),
        ]
        for (text, message) in cases {
            try text.write(toFile: directory + "/bad.json", atomically: true, encoding: .utf8)
            #expect(throws: InputError(message)) { try GroupedModel.load(configFile: directory + "/bad.json") }
        }
        #expect(throws: InputError("cannot read config file \(directory)/missing.json")) {
            try GroupedModel.load(configFile: directory + "/missing.json")
        }
    }
}
