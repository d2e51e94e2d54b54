import Foundation
import Testing
import SpecgdSupport
import Model
import Theory

/// The registered rules (Lion, PolarGrad, Shampoo) through every command that chooses a
/// method: theory, simulate, compare, check-escape, sweep (method axis) and figures, with the
/// state columns, file names and refusals the registry promises.
@Suite struct UpdateRuleCLITests {
    static let rules = UpdateRules.all.map { $0.name }

    static func run(_ arguments: [String]) throws -> SpecgdProcess.Result {
        let result = try SpecgdProcess.run(arguments)
        #expect(result.status == 0, "\(arguments.joined(separator: " ")): \(result.stderr)")
        return result
    }

    @Test func theoryAndSimulateRunEveryRuleWithItsStateColumns() throws {
        let dir = try SpecgdProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for rule in UpdateRules.all {
            let theory = "\(dir)/t-\(rule.name).csv", dense = "\(dir)/s-\(rule.name).csv"
            _ = try Self.run(["theory", "--method", rule.name, "--dim", "20", "--alpha", "1e-2", "--lr", "1e-3", "--steps", "200",
                              "--every", "50", "--output", theory])
            let t = try Table.readCSV(theory)
            for name in rule.stateNames { #expect(t.columns.contains("\(name)_a"), "\(rule.name): \(t.columns)") }
            #expect(t.columns.last == "update_c")
            _ = try Self.run(["simulate", "--method", rule.name, "--dim", "12", "--init", "identity", "--alpha", "1e-2",
                              "--lr", "1e-3", "--steps", "200", "--every", "50", "--output", dense])
            // From αI the dense run stays on the manifold: its a agrees with the map's to rounding
            // (UpdateRuleAgreementTests hold the step-by-step bound; here the CSV round trip).
            let s = try Table.readCSV(dense)
            #expect(s.column("a")!.count == 5)
        }
    }

    @Test func compareWritesOneFilePerMethodAndCheckEscapeReportsEachRule() throws {
        let dir = try SpecgdProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try Self.run(["compare", "--methods", (["gd"] + Self.rules).joined(separator: ","), "--dim", "12", "--steps", "200",
                          "--every", "20", "--output-dir", dir + "/compare"])
        for name in ["gd"] + Self.rules {
            #expect(FileManager.default.fileExists(atPath: "\(dir)/compare/compare-\(name).csv"), "compare-\(name).csv")
        }
        let check = try Self.run(["check-escape", "--methods", Self.rules.joined(separator: ","), "--lambdas", "8", "--dim", "32",
                                  "--no-simulation", "--output-dir", dir + "/check"])
        for rule in UpdateRules.all {
            #expect(check.stdout.contains("\(rule.name) theory-map escape_step: \(rule.noPredictionReason)"), "\(check.stdout)")
        }
        // Every rule's first step holds against its own closed form.
        #expect(check.stdout.components(separatedBy: "first_step").count - 1 == UpdateRules.all.count)
        #expect(check.stdout.contains("all 3 checkable predictions held"))
    }

    /// A sweep's method axis takes the rules, and each cell equals a single theory run.
    @Test func sweepMethodAxisMatchesSingleRuns() throws {
        let dir = try SpecgdProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try Self.run(["sweep", "--grid", "method=" + Self.rules.joined(separator: ","), "--grid", "lr=1e-3,3e-3",
                          "--lambda", "8", "--dim", "100", "--steps", "1500", "--metric", "escape_step,final_loss", "--output-dir", dir])
        let cells = try String(contentsOfFile: dir + "/cells.csv", encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
        let header = cells[0]
        let method = header.firstIndex(of: "method")!, lr = header.firstIndex(of: "lr")!, loss = header.firstIndex(of: "final_loss")!
        #expect(cells.count == 1 + 2 * Self.rules.count)
        for row in cells.dropFirst() {
            let single = dir + "/single.csv"
            _ = try Self.run(["theory", "--method", row[method], "--lambda", "8", "--dim", "100", "--lr", row[lr], "--steps", "1500",
                              "--every", "1500", "--output", single])
            let last = try Table.readCSV(single).column("loss")!.last!
            #expect(Double(row[loss])! == last, "\(row[method]) lr \(row[lr]): sweep \(row[loss]) vs theory \(last)")
        }
    }

    @Test func figuresTakeARuleAsTheSecondSide() throws {
        let dir = try SpecgdProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try Self.run(["figures", "--method", "lion", "--quick", "--output-dir", dir])
        let svg = try String(contentsOfFile: dir + "/trajectories.svg", encoding: .utf8)
        #expect(svg.contains("Lion"))
    }

    /// An option the rule does not read is refused naming the rule and what it reads, in one
    /// line, the same in theory, simulate and compare.
    @Test func unreadOptionsAreRefusedNamingTheRule() throws {
        let dir = try SpecgdProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for command in ["theory", "simulate", "compare"] {
            let output = command == "compare" ? ["--output-dir", dir + "/c"] : ["--output", dir + "/x.csv"]
            let r = try SpecgdProcess.run([command, "--method", "lion", "--momentum", "0.9", "--dim", "8", "--steps", "1"] + output)
            #expect(r.status == 1)
            #expect(r.stderr == "Error: --method lion does not read --momentum (it reads --beta1, --beta2, --weight-decay, --lr-scale)\n",
                    "\(command): \(r.stderr)")
        }
        let shampoo = try SpecgdProcess.run(["theory", "--method", "shampoo", "--polar", "ns5", "--steps", "1", "--output", dir + "/x.csv"])
        #expect(shampoo.stderr.hasPrefix("Error: --method shampoo does not read --polar"))
        let eps = try SpecgdProcess.run(["theory", "--method", "adam", "--precond-eps", "1e-6", "--steps", "1", "--output", dir + "/x.csv"])
        #expect(eps.stderr.hasPrefix("Error: --precond-eps applies to --method shampoo only"), "\(eps.stderr)")
        let bad = try SpecgdProcess.run(["theory", "--method", "shampoo", "--precond-eps", "0", "--steps", "1", "--output", dir + "/x.csv"])
        #expect(bad.stderr.hasPrefix("Error: --precond-eps must be > 0"),
                "\(bad.stderr)")
    }
}
