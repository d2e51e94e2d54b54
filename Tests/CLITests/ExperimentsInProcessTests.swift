import Model
import Comparison
import Experiments
import Foundation
import Testing
import SpecgdSupport

/// The library experiments and the commands produce the same files: the CLI only maps options
/// to a request (the byte-for-byte check against the previous binary is in the CHANGELOG).
@Suite struct ExperimentsInProcessTests {
    static func text(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    @Test func checkEscapeInProcessWritesTheRowsOfTheCLIRun() throws {
        let dir = try SpecgdProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cli = try SpecgdProcess.run(["check-escape", "--lambdas", "1,8", "--dim", "8", "--seeds", "2", "--steps", "1500",
                                         "--output-dir", dir + "/cli"])
        #expect(cli.status == 0, "\(cli.stderr)")
        let request = CheckEscapeRequest(lambdas: [1, 8], dimension: 8, steps: 1500, simulation: .init(seeds: 2))
        let result = try CheckEscapeExperiment.run(request)
        try result.output.write(to: dir + "/lib", command: ["specgd", "check-escape"])
        for file in ["escape-check.csv", "amplification.csv", "rho-curve.csv", "amplification.svg", "amplification.recipe.json"] {
            #expect(try Self.text(dir + "/cli/" + file) == Self.text(dir + "/lib/" + file), "\(file)")
        }
        let stored = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/cli/escape-check.json"))) as! [String: Any]
        let summary = try JSONSerialization.jsonObject(with: JSONOutput.encode(result.summary)) as! NSDictionary
        #expect(NSDictionary(dictionary: stored["summary"] as! [String: Any]) == summary)
        #expect(cli.stdout.contains(EscapeCheck.report(result.rows)))
    }

    @Test func compareInProcessWritesTheFilesOfTheCLIRun() throws {
        let dir = try SpecgdProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cli = try SpecgdProcess.run(["compare", "--methods", "gd,specgd", "--lambda", "4", "--dim", "8", "--steps", "200",
                                         "--every", "10", "--init", "gaussian", "--seeds", "2", "--output-dir", dir + "/cli"])
        #expect(cli.status == 0, "\(cli.stderr)")
        let stored = try JSONOutput.decoder().decode(Stored.self, from: Data(contentsOf: URL(fileURLWithPath: dir + "/cli/report.json")))
        // The recorded per-method configurations are the request's sides.
        let gd = try #require(stored.summary.methods.first)
        let request = CompareRequest(methods: [.gd, .specgd], theory: gd.theory, simulation: gd.simulation)
        let result = try CompareExperiment.run(request)
        try result.output.write(to: dir + "/lib", command: ["specgd", "compare"])
        for file in ["compare-gd.csv", "compare-specgd.csv", "overlay.svg", "overlay.recipe.json"] {
            #expect(try Self.text(dir + "/cli/" + file) == Self.text(dir + "/lib/" + file), "\(file)")
        }
        #expect(result.summary.methods.map(\.simulation) == stored.summary.methods.map(\.simulation))
        #expect(result.configuration == stored.configuration)
    }

    struct Stored: Decodable {
        struct Summary: Decodable { var methods: [CompareMethodReport] }
        var configuration: CompareConfiguration
        var summary: Summary
    }
}
