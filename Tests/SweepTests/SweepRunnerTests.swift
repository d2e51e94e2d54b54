import Foundation
import Testing
@testable import Sweep
import SpecgdSupport
import Model
import Theory

/// Helpers shared by the sweep tests.
enum Fixture {
    static func directory() throws -> String {
        let path = NSTemporaryDirectory() + "specgd-sweep-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func configuration(grid: [String] = ["lambda=0:16:9", "lr=1e-4:1e-1:5:log"],
                              metrics: [Metric] = Metric.allCases, steps: Int = 3000,
                              method: Method = .gd, shard: Shard? = nil) throws -> SweepConfiguration {
        let base = ModelPoint(method: method, lambda: 8, dimension: 200, alpha: 1e-3, learningRate: 1e-3, steps: steps,
                              escapeThreshold: 0.5, seed: 42)
        return SweepConfiguration(mode: .theory, metrics: metrics, grid: try Grid.parse(grid, mode: .theory),
                                  base: base, shard: shard)
    }

    static func run(_ configuration: SweepConfiguration, in directory: String, jobs: Int = 2,
                    resume: Bool = false) throws -> SweepReport {
        try SweepRunner(configuration: configuration, directory: directory, jobs: jobs, resume: resume,
                        progress: .off, command: ["test"]).run(evaluator: TheoryEvaluator())
    }

    static func cells(_ directory: String) throws -> String {
        try String(contentsOfFile: SweepRecord.cellsPath(directory), encoding: .utf8)
    }
}

/// An independent transcription of the spiked map (docs/model.md §3) for escape steps.
private func referenceEscape(lambda: Double, d: Int, alpha: Double, lr: Double, steps: Int,
                             spectral: Bool, threshold: Double = 0.5) -> Int? {
    var (a, b, c) = (alpha, alpha, alpha)
    let p = Double(d - 2)
    func sign(_ x: Double) -> Double { x > 0 ? 1 : (x < 0 ? -1 : 0) }
    if a >= threshold { return 0 }
    for k in 1...steps {
        let t = (a * a - 1) + (1 + lambda) * b * b + p * c * c
        let ga = a * (2 * (a * a - 1) + t)
        let gb = (1 + lambda) * b * (2 * (1 + lambda) * b * b + t)
        let gc = c * (2 * c * c + t)
        if spectral { (a, b, c) = (a - lr * sign(ga), b - lr * sign(gb), c - lr * sign(gc)) }
        else { (a, b, c) = (a - lr * ga, b - lr * gb, c - lr * gc) }
        if a >= threshold { return k }
    }
    return nil
}

@Suite struct SweepRunnerTests {
    @Test func valuesMatchAnIndependentMapAndDoNotDependOnJobs() throws {
        let configuration = try Fixture.configuration()
        let one = try Fixture.directory(), two = try Fixture.directory()
        let report = try Fixture.run(configuration, in: one, jobs: 1)
        #expect(report == SweepReport(cells: 45, alreadyDone: 0, evaluated: 45, diverged: report.diverged))
        _ = try Fixture.run(configuration, in: two, jobs: 3)
        #expect(try Fixture.cells(one) == Fixture.cells(two))

        let table = try CellsTable(SweepRecord.cellsPath(one))
        #expect(try table.numbers("cell") == (0..<45).map(Double.init))
        let lambdas = try table.numbers("lambda"), lrs = try table.numbers("lr")
        let escapes = try table.numbers("escape_step"), ratios = try table.numbers("escape_ratio")
        let status = try table.text("status")
        var checked = 0
        for r in 0..<45 where status[r] == "ok" {
            let gd = referenceEscape(lambda: lambdas[r], d: 200, alpha: 1e-3, lr: lrs[r], steps: 3000, spectral: false)
            let spec = referenceEscape(lambda: lambdas[r], d: 200, alpha: 1e-3, lr: lrs[r], steps: 3000, spectral: true)
            if let gd { #expect(escapes[r] == Double(gd)) } else { #expect(escapes[r].isNaN) }
            if let gd, let spec { #expect(ratios[r] == Double(gd) / Double(spec)) } else { #expect(ratios[r].isNaN) }
            checked += 1
        }
        #expect(checked >= 30)
        // Some cells escape within the budget, some do not (escape_step nan), so both paths are exercised.
        #expect(escapes.contains { $0.isNaN } && escapes.contains { $0.isFinite })
    }

    @Test func divergedCellsAreRecordedWithTheirStep() throws {
        // GD at lr = 5 from α = 1 explodes; the map names the first bad step.
        let configuration = try Fixture.configuration(grid: ["lr=0.001,5", "alpha=1"], metrics: [.finalLoss, .escapeStep])
        let directory = try Fixture.directory()
        let report = try Fixture.run(configuration, in: directory)
        #expect(report.diverged == 1)
        let model = try GroupedModel.spiked(lambda: 8, dimension: 200)
        var expectedStep = -1
        do { _ = try DiscreteMap(model: model, method: .gd, learningRate: 5).final(from: [1, 1, 1], steps: 3000) }
        catch let error as DivergenceError { expectedStep = error.step }
        let lines = try Fixture.cells(directory).split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[2].hasSuffix(",diverged,\(expectedStep)"))
        #expect(lines[2].contains(",nan,nan,"))
        #expect(lines[1].hasSuffix(",ok,nan"))
    }

    @Test func resumeAfterATornLineCompletesIdentically() throws {
        let configuration = try Fixture.configuration()
        let reference = try Fixture.directory()
        _ = try Fixture.run(configuration, in: reference)
        let full = try Fixture.cells(reference)
        let lines = full.split(separator: "\n", omittingEmptySubsequences: false)

        // An interrupted run: header, 17 cells finished out of order, and half a line.
        let directory = try Fixture.directory()
        try SweepRecord.write(configuration, to: directory, command: ["test"])
        var partial = String(lines[0]) + "\n"
        for index in [5, 1, 9, 2, 14, 3, 30, 31, 32, 40, 41, 12, 13, 20, 21, 22, 44] { partial += lines[index + 1] + "\n" }
        partial += lines[8].prefix(20)
        try partial.write(toFile: SweepRecord.cellsPath(directory), atomically: false, encoding: .utf8)

        let report = try Fixture.run(configuration, in: directory, resume: true)
        #expect(report.alreadyDone == 17 && report.evaluated == 28 && report.complete)
        #expect(try Fixture.cells(directory) == full)
        // Resuming a complete sweep does nothing and keeps the bytes.
        let again = try Fixture.run(configuration, in: directory, resume: true)
        #expect(again.evaluated == 0 && again.alreadyDone == 45)
        #expect(try Fixture.cells(directory) == full)
    }

    @Test func directoryRulesAndDifferentConfigurationsAreRefused() throws {
        let configuration = try Fixture.configuration(grid: ["lambda=1,2"])
        let directory = try Fixture.directory()
        _ = try Fixture.run(configuration, in: directory)
        // Without --resume a non-empty directory is refused.
        #expect(throws: InputError.self) { try Fixture.run(configuration, in: directory) }
        // With --resume, a different sweep is refused with what differs.
        let other = try Fixture.configuration(grid: ["lambda=1,2"], steps: 4000)
        do {
            _ = try Fixture.run(other, in: directory, resume: true)
            Issue.record("a different configuration was resumed")
        } catch let error as InputError {
            #expect(error.message.contains("steps 3000 vs 4000"), "\(error.message)")
        }
        // A non-empty directory that is not a sweep.
        let stranger = try Fixture.directory()
        try "x".write(toFile: stranger + "/notes.txt", atomically: true, encoding: .utf8)
        #expect(throws: InputError.self) { try Fixture.run(configuration, in: stranger, resume: true) }
        // A cells.csv from another grid is refused, not mixed in.
        let foreign = try Fixture.directory()
        try SweepRecord.write(configuration, to: foreign, command: ["test"])
        let otherGrid = try Fixture.configuration(grid: ["lambda=1,3"])
        let otherDirectory = try Fixture.directory()
        _ = try Fixture.run(otherGrid, in: otherDirectory)
        try FileManager.default.copyItem(atPath: SweepRecord.cellsPath(otherDirectory), toPath: SweepRecord.cellsPath(foreign))
        #expect(throws: InputError.self) { try Fixture.run(configuration, in: foreign, resume: true) }
    }

    @Test func aSecondProcessOnTheSameDirectoryIsRefused() throws {
        let configuration = try Fixture.configuration(grid: ["lambda=1,2"])
        let directory = try Fixture.directory()
        let held = try DirectoryLock(directory)
        defer { held.release() }
        #expect(throws: InputError("another specgd sweep is running in \(directory)")) {
            try Fixture.run(configuration, in: directory)
        }
    }
}
