import Foundation
@testable import SpecgdCLI
import Testing

/// One bad value, one line and one exit status, in every command that takes the option (issue 18
/// "Bad input"): the covariance's options in theory, simulate, compare, check-escape, figures and sweep;
/// the experiment's and the optimizer's wherever they are taken; the dense runs' in simulate,
/// compare, check-escape and sweep --mode simulate; per-seed theory's --law-draws in compare and
/// check-escape. Each refusal comes from the one validation
/// path (the experiment's, the rule's, the option group's), before any work.
@Suite struct SameBadValueTests {
    static let commands: [String: String] = [
        "theory": "theory --output OUT/t.csv",
        "simulate": "simulate --dim 8 --output OUT/o.csv",
        "compare": "compare --dim 8 --output-dir OUT/c",
        "check-escape": "check-escape --output-dir OUT/e",
        "figures": "figures --quick --output-dir OUT/f",
        "sweep": "sweep --grid lr=1e-3,1e-2 --output-dir OUT/s",
        "sweep-simulate": "sweep --mode simulate --dim 8 --grid lr=1e-3,1e-2 --output-dir OUT/s",
    ]
    static let covariance = ["theory", "simulate", "compare", "check-escape", "figures", "sweep"]
    static let experiment = ["theory", "simulate", "compare", "check-escape", "sweep"]
    static let optimizer = ["theory", "simulate", "compare", "figures", "sweep"]
    static let dense = ["simulate", "compare", "check-escape", "sweep-simulate"]

    struct Row: CustomTestStringConvertible, Sendable {
        let options: String
        let commands: [String]
        let line: String
        var testDescription: String { options }
    }

    static let rows: [Row] = [
        // A covariance parameter on the wrong covariance.
        .init(options: "--spectrum FILES/spectrum.txt", commands: covariance, line: "Error: --spectrum applies to --covariance diagonal only (got --covariance spiked)"),
        .init(options: "--beta 2", commands: covariance, line: "Error: --beta applies to --covariance power-law only (got --covariance spiked)"),
        .init(options: "--signal-index 2", commands: covariance, line: "Error: --signal-index applies to --covariance power-law or diagonal only (got --covariance spiked)"),
        .init(options: "--covariance power-law --spikes 2,3", commands: covariance, line: "Error: --spikes applies to --covariance spiked only (got --covariance power-law)"),
        .init(options: "--covariance diagonal --beta 1", commands: covariance, line: "Error: --beta applies to --covariance power-law only (got --covariance diagonal)"),
        // The experiment's values.
        .init(options: "--alpha nan", commands: experiment, line: "Error: --alpha must be a finite number (got nan)"),
        .init(options: "--lr -1", commands: experiment, line: "Error: --lr must be > 0 (got -1.0)"),
        .init(options: "--dim 1", commands: experiment, line: "Error: --dim must be >= 2 (got 1)"),
        .init(options: "--escape-threshold 0", commands: experiment, line: "Error: --escape-threshold must be > 0 (got 0.0)"),
        .init(options: "--lambda -2", commands: ["theory", "simulate", "compare", "figures", "sweep"],
              line: "Error: --lambda must be > -1 so that Σ = I + λvvᵀ is positive definite (got -2.0)"),
        // The rule's options, and an option the rule does not read.
        .init(options: "--momentum 1.5", commands: optimizer, line: "Error: --momentum must be in [0, 1) (got 1.5)"),
        .init(options: "--method adam --momentum 0.5", commands: optimizer,
              line: "Error: --momentum and --nesterov apply to methods gd, specgd and signgd only (adam's momentum is --beta1)"),
        .init(options: "--method lion --momentum 0.5", commands: optimizer, line: "Error: --method lion does not read --momentum"),
        // The dense runs' options (one group: DenseOptions).
        .init(options: "--seeds 0", commands: dense, line: "Error: --seeds must be >= 1 (got 0)"),
        .init(options: "--samples 10 --batch 4", commands: dense + [], line: "Error: --samples"),
        // Per-seed theory's law draws (one group: SeedSpreadOptions).
        .init(options: "--law-draws 1", commands: ["compare", "check-escape"], line: "Error: --law-draws must be >= 2 (got 1)"),
    ]

    /// The line `main` prints and the exit status: in-process for a refusal `validate()` makes,
    /// else (refused by `run()`) from the executable, whose stderr must be that one line.
    static func refusal(_ command: String, _ options: String, files: String) throws -> (line: String, status: Int32)? {
        let out = try SpecgdProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let text = commands[command]! + " " + options
        let arguments = text.split(separator: " ").map {
            $0.replacingOccurrences(of: "OUT", with: out).replacingOccurrences(of: "FILES", with: files)
        }
        do { _ = try SpecGD.parseAsRoot(arguments) } catch {
            return (SpecGD.errorLine(for: error, arguments: arguments) ?? "", SpecGD.exitCode(for: error).rawValue)
        }
        let result = try SpecgdProcess.run(arguments)
        guard result.status != 0 else { return nil }
        let lines = BadInputTests.errorLines(result.stderr)
        #expect(lines.count == 1, "\(text): \(result.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).isEmpty, "\(text) left files")
        return (lines.first ?? "", result.status)
    }

    @Test(arguments: rows)
    func sameLineEverywhere(_ row: Row) throws {
        var seen = [String: (line: String, status: Int32)]()
        for command in row.commands {
            guard let refusal = try Self.refusal(command, row.options, files: BadInputTests.files) else {
                Issue.record("\(command) \(row.options) was accepted")
                continue
            }
            #expect(refusal.line.hasPrefix(row.line), "\(command): \(refusal.line)")
            seen[command] = refusal
        }
        let distinct = Set(seen.values.map { "\($0.status) \($0.line)" })
        #expect(distinct.count == 1, "\(row.options): \(seen)")
    }

    /// check-escape's own refusals of the dense options it does not read, and the --lambdas of a
    /// covariance without a spike strength.
    @Test func checkEscapeRefusesWhatItDoesNotRead() throws {
        for (options, line) in [("--width 8", "Error: --width does not apply to check-escape"),
                                ("--teacher random", "Error: --teacher does not apply to check-escape"),
                                ("--update-spectrum", "Error: --update-spectrum does not apply to check-escape"),
                                ("--no-simulation --seed 3", "Error: --seed configures the simulations, which --no-simulation turns off"),
                                ("--covariance power-law --lambdas 2", "Error: --lambdas applies to --covariance spiked only (got --covariance power-law)"),
                                ("--config FILES/typo.json", "Error: --config (custom groups) is theory only")] {
            let refusal = try #require(try Self.refusal("check-escape", options, files: BadInputTests.files), "\(options)")
            #expect(refusal.line.hasPrefix(line), "\(options): \(refusal.line)")
            #expect(refusal.status != 0)
        }
        for (options, line) in [("--init gaussian", "Error: --init applies to --mode simulate only"),
                                ("--teacher random", "Error: --teacher applies to --mode simulate only"),
                                ("--update-spectrum", "Error: --update-spectrum applies to --mode simulate only"),
                                ("--mode simulate --update-spectrum", "Error: --update-spectrum records trajectory columns; a sweep's cells keep metrics only"),
                                ("--grid nesterov=yes", "Error: grid spec 'nesterov=yes': 'yes' is not a nesterov; values: true, false"),
                                ("--grid covariance=spiked,diagonal", "Error: grid axis covariance value diagonal needs --spectrum FILE")] {
            let refusal = try #require(try Self.refusal("sweep", options, files: BadInputTests.files), "\(options)")
            #expect(refusal.line.hasPrefix(line), "\(options): \(refusal.line)")
        }
    }
}
