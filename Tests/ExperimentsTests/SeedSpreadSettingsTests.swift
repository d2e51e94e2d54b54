import Foundation
import Testing
import Experiments
import Model
import Simulation
import SpecgdSupport
import Theory

/// The per-seed theory settings (`SeedSpreadSettings`): one home for compare's and check-escape's
/// law draws and the spread check's bootstrap, checked in one place and written to both records
/// only where they differ from the defaults.
@Suite struct SeedSpreadSettingsTests {
    @Test func defaultsAreTheOnesEveryEarlierRunUsed() throws {
        let settings = SeedSpreadSettings()
        #expect(settings.lawDraws == 400 && settings.level == 0.95 && settings.resamples == 1000)
        try settings.validate()
        #expect(CompareRequest(methods: [.gd], theory: TheoryConfiguration(Experiment()), simulation: SimulationConfiguration(Experiment())).seedSpread == settings)
        #expect(CheckEscapeRequest().seedSpread == settings)
    }

    @Test(arguments: [
        (SeedSpreadSettings(lawDraws: 1), "lawDraws must be >= 2 (got 1)"),
        (SeedSpreadSettings(lawDraws: 0), "lawDraws must be >= 2 (got 0)"),
        (SeedSpreadSettings(lawDraws: -3), "lawDraws must be >= 2 (got -3)"),
        (SeedSpreadSettings(lawDraws: 1_000_000_000), "lawDraws must be <= 100000 (got 1000000000)"),
        (SeedSpreadSettings(level: 1), "spreadCheckLevel must be > 0 and < 1 (got 1.0)"),
        (SeedSpreadSettings(level: .nan), "spreadCheckLevel must be a finite number"),
        (SeedSpreadSettings(resamples: 0), "spreadCheckResamples must be >= 1 (got 0)"),
        (SeedSpreadSettings(resamples: 100_001), "spreadCheckResamples must be <= 100000"),
    ])
    func badValuesAreRefusedByName(_ settings: SeedSpreadSettings, _ message: String) throws {
        let error = try #require(throws: InputError.self) { try settings.validate() }
        #expect(error.message.contains(message), "\(error.message)")
        #expect(!error.message.contains("\n"))
    }

    @Test func theBoundsAreAccepted() throws {
        try SeedSpreadSettings(lawDraws: 2).validate()
        try SeedSpreadSettings(lawDraws: SeedSpreadSettings.maximumLawDraws, level: 0.5, resamples: 1).validate()
    }

    /// Only what differs from the defaults is written (a default run's record keeps its bytes);
    /// a missing key reads as the default (every earlier record).
    @Test func recordsCarryWhatDiffersFromTheDefaults() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(String(decoding: try encoder.encode(SeedSpreadSettings()), as: UTF8.self) == "{}")
        #expect(String(decoding: try encoder.encode(SeedSpreadSettings(lawDraws: 60)), as: UTF8.self) == #"{"lawDraws":60}"#)
        let all = SeedSpreadSettings(lawDraws: 60, level: 0.9, resamples: 200)
        let text = String(decoding: try encoder.encode(all), as: UTF8.self)
        #expect(text == #"{"lawDraws":60,"spreadCheckLevel":0.9,"spreadCheckResamples":200}"#)
        #expect(try JSONDecoder().decode(SeedSpreadSettings.self, from: Data(text.utf8)) == all)
        #expect(try JSONDecoder().decode(SeedSpreadSettings.self, from: Data("{}".utf8)) == SeedSpreadSettings())

        // In a configuration block the fields sit at the top level, next to the command's own.
        let compare = CompareConfiguration(methods: ["gd"], theoryLambda: nil, tolerance: nil, toleranceFloor: 1e-6,
                                           seedSpread: SeedSpreadSettings(lawDraws: 60))
        let json = try JSONSerialization.jsonObject(with: encoder.encode(compare)) as! [String: Any]
        #expect(json["lawDraws"] as? Int == 60 && json["seedSpread"] == nil)
        #expect(try JSONDecoder().decode(CompareConfiguration.self, from: encoder.encode(compare)) == compare)
        let old = #"{"methods":["gd"],"toleranceFloor":1e-06}"#
        #expect(try JSONDecoder().decode(CompareConfiguration.self, from: Data(old.utf8)).seedSpread == SeedSpreadSettings())
        let plain = try JSONSerialization.jsonObject(with: encoder.encode(CompareConfiguration(methods: ["gd"], theoryLambda: nil, tolerance: nil, toleranceFloor: 1e-6))) as! [String: Any]
        #expect(Set(plain.keys) == ["methods", "toleranceFloor"])
    }

    /// check-escape's configuration carries the request's settings and gives them back for replay.
    @Test func checkEscapeConfigurationRoundTrips() throws {
        var request = CheckEscapeRequest(lambdas: [8], dimension: 12)
        request.seedSpread.lawDraws = 60
        let configuration = try request.configuration()
        #expect(configuration.seedSpread.lawDraws == 60)
        let data = try JSONEncoder().encode(configuration)
        let json = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        #expect(json["lawDraws"] as? Int == 60)
        let decoded = try JSONDecoder().decode(CheckEscapeConfiguration.self, from: data)
        #expect(decoded == configuration)
        #expect(try CheckEscapeRequest(decoded).seedSpread.lawDraws == 60)
        // Without it, the record has no key and reads as the default.
        let plain = try JSONEncoder().encode(try CheckEscapeRequest(lambdas: [8], dimension: 12).configuration())
        #expect((try JSONSerialization.jsonObject(with: plain) as! [String: Any])["lawDraws"] == nil)
        #expect(try JSONDecoder().decode(CheckEscapeConfiguration.self, from: plain).seedSpread == SeedSpreadSettings())
    }

    /// Grows with the draws (a bound for the memory guard) and stays small at the default.
    @Test func memoryEstimateGrowsWithTheDraws() {
        let small = SeedSpreadSettings().memoryEstimate.bytes
        let large = SeedSpreadSettings(lawDraws: SeedSpreadSettings.maximumLawDraws).memoryEstimate.bytes
        #expect(small > 400 * 8 && small < 100_000)
        #expect(large > 100_000 * 8 * 6 && large < 10_000_000)
    }
}
