import Foundation
import Machine
import NumericKit
import Model
import Simulation
import Testing
@testable import Sweep
import SpecgdSupport
import Theory

/// Sweeps over the optimizer family (docs/sweep.md): the `method` and `polar` name axes, the
/// optimizer base options, the momentum axis and escape_ratio's `--ratio A/B`.
@Suite struct OptimizerAxesTests {
    static let base = ModelPoint(method: .gd, lambda: 8, dimension: 100, alpha: 1e-3, learningRate: 1e-3, steps: 3000, escapeThreshold: 0.5)

    /// A sweep written by main before name axes existed (4a73283): its configuration and
    /// cells.csv, byte for byte.
    static let oldRecord = """
    {"configuration": {"base": {"alpha": 0.001, "dim": 100, "escapeThreshold": 0.5, "lambda": 1, "lr": 0.001,
      "method": "gd", "seed": 0, "steps": 3000},
     "grid": {"axes": [{"parameter": "lambda", "spec": "lambda=1,8", "values": [1, 8]},
                       {"parameter": "lr", "spec": "lr=1e-3,1e-2", "values": [0.001, 0.01]}]},
     "metrics": ["escape_step", "escape_ratio", "final_spike"], "mode": "theory", "version": "\(SpecgdVersion.string)"}}
    """
    static let oldCells = """
    cell,cell_id,lambda,lr,escape_step,escape_ratio,final_spike,seed,status,diverged_step
    0,0x2704e361363d5b0f,1,0.001,2125,4.258517034068136,0.09053410254711071,7956156453446585,ok,nan
    1,0xd96650d0043fc143,1,0.01,216,4.32,0.0324922052667317,3886858653415212,ok,nan
    2,0x39cd4d11232302f4,8,0.001,2317,4.643286573146293,0.08752856481897207,238094247788840,ok,nan
    3,0xb4ce93108060c7f0,8,0.01,235,4.7,0.006809732990745516,8744927430068624,ok,nan

    """

    @Test func oldSweepLoadsResumesAndKeepsItsIds() throws {
        // The record's envelope as every record carries it, around the old configuration.
        var object = try JSONSerialization.jsonObject(with: JSONOutput.encode(
            RunRecord(kind: "sweep", configuration: 0, summary: ["totalCells": 4, "cellsInThisRun": 4], command: ["specgd", "sweep"]))) as! [String: Any]
        object["configuration"] = (try JSONSerialization.jsonObject(with: Data(Self.oldRecord.utf8)) as! [String: Any])["configuration"]
        let stored = try SweepRecord.read(try JSONSerialization.data(withJSONObject: object), file: "sweep.json")
        #expect(stored.ratio == nil && stored.base.optimizerOptions == nil)
        // The same options today make the same configuration, hence the same cells.
        var base = Self.base
        base.lambda = 1
        let today = SweepConfiguration(mode: .theory, metrics: [.escapeStep, .escapeRatio, .finalSpike],
                                       grid: try Grid.parse(["lambda=1,8", "lr=1e-3,1e-2"], mode: .theory), base: base)
        #expect(today.differences(from: stored).isEmpty)
        // The old ids are numeric axes' ids today; a resume finds every cell done.
        let directory = try Fixture.directory()
        try SweepRecord.write(stored, to: directory, command: ["test"])
        try Self.oldCells.write(toFile: SweepRecord.cellsPath(directory), atomically: true, encoding: .utf8)
        let report = try Fixture.run(today, in: directory, resume: true)
        #expect(report.alreadyDone == 4 && report.evaluated == 0)
        #expect(try Fixture.cells(directory) == Self.oldCells)
        // And a fresh run of the same sweep writes the same lines (plain GD and the paper's
        // ratio run DiscreteMap, as before).
        let fresh = try Fixture.directory()
        _ = try Fixture.run(today, in: fresh)
        #expect(try Fixture.cells(fresh) == Self.oldCells)
    }

    @Test func nameAxesHoldWordsInTheRecordAndTheCells() throws {
        let grid = try Grid.parse(["method=gd,specgd,signgd", "lambda=1,8"], mode: .theory)
        let axis = grid.axes[0]
        #expect(axis.labels == ["gd", "specgd", "signgd"] && axis.values == [0, 1, 2])
        let json = String(decoding: try JSONOutput.encode(grid), as: UTF8.self)
        #expect(json.contains("\"gd\"") && json.contains("\"signgd\""))
        #expect(try JSONOutput.decoder().decode(Grid.self, from: Data(json.utf8)) == grid)
        #expect(grid.texts(at: 3) == ["specgd", "8"])
        // Ids hash the word: distinct per word, and unchanged by the word's position.
        let ids = Set((0..<grid.count).map(grid.cellID(at:)))
        #expect(ids.count == grid.count)
        let reordered = try Grid.parse(["method=signgd,specgd,gd", "lambda=1,8"], mode: .theory)
        #expect(reordered.cellID(at: 5) == grid.cellID(at: 1))  // gd, λ = 8 in both
        for spec in ["method=foo", "method=gd,gd", "method=gd:specgd:2", "polar=custom", "polar=ns5,ns5"] {
            #expect(throws: InputError.self) { try GridAxis.parse(spec, mode: .theory) }
        }
        #expect(throws: InputError.self) { try DerivedParameter.parse("method=1", mode: .theory) }
        #expect(throws: InputError.self) { try DerivedParameter.parse("alpha=1/method", mode: .theory) }
    }

    /// A method axis runs each method as its own sweep would: plain GD and exact SpecGD
    /// through DiscreteMap (exactly today's numbers), SignGD through OptimizerMap, where it
    /// equals exact SpecGD on the manifold (docs/model.md §6).
    @Test func methodAxisCellsEqualOneSweepPerMethod() throws {
        let metrics: [Metric] = [.escapeStep, .peakAmplification, .finalLoss, .maxSpike]
        let axes = try Grid.parse(["method=gd,specgd,signgd", "lambda=1,8", "lr=1e-3,1e-2"], mode: .theory)
        let combined = SweepConfiguration(mode: .theory, metrics: metrics, grid: axes, base: Self.base)
        let directory = try Fixture.directory()
        _ = try Fixture.run(combined, in: directory)
        let table = try CellsTable(SweepRecord.cellsPath(directory))
        let methods = try table.text("method")
        for method in [Method.gd, .specgd] {
            var base = Self.base
            base.method = method
            let single = SweepConfiguration(mode: .theory, metrics: metrics,
                                            grid: try Grid.parse(["lambda=1,8", "lr=1e-3,1e-2"], mode: .theory), base: base)
            let singleDirectory = try Fixture.directory()
            _ = try Fixture.run(single, in: singleDirectory)
            let reference = try CellsTable(SweepRecord.cellsPath(singleDirectory))
            for metric in metrics {
                let values = zip(methods, try table.numbers(metric.rawValue)).filter { $0.0 == method.rawValue }.map(\.1)
                #expect(values.map(\.bitPattern) == (try reference.numbers(metric.rawValue)).map(\.bitPattern), "\(method) \(metric)")
            }
        }
        let escapes = try table.numbers("escape_step")
        #expect(Array(escapes[8..<12]) == Array(escapes[4..<8]))  // SignGD = SpecGD on the manifold
    }

    /// A Muon cell (ns5, Nesterov momentum) and a polar axis: each cell's escape step is that
    /// of one `specgd theory` run with the same optimizer (the recorded map, runTheory).
    @Test func optimizerCellsEqualSingleTheoryRuns() throws {
        var base = Self.base
        base.method = .specgd
        base.optimizerOptions = Optimizer(method: .specgd, polar: .ns5, momentum: 0.95, nesterov: true)
        let grid = try Grid.parse(["polar=svd,ns5,polar-express", "lambda=2,8", "lr=1e-3,1e-2"], mode: .theory)
        let configuration = SweepConfiguration(mode: .theory, metrics: [.escapeStep, .finalBulk], grid: grid, base: base)
        let directory = try Fixture.directory()
        _ = try Fixture.run(configuration, in: directory)
        let table = try CellsTable(SweepRecord.cellsPath(directory))
        let escapes = try table.numbers("escape_step"), bulks = try table.numbers("final_bulk")
        #expect(escapes.allSatisfy { $0.isFinite })
        for cell in 0..<grid.count {
            let point = configuration.point(at: cell)
            #expect(point.optimizer.polar == PolarMethod(rawValue: grid.texts(at: cell)[0]))
            let run = try runOptimizerTheory(Self.theory(point), optimizer: point.optimizer)
            #expect(escapes[cell] == Double(run.summary.escape.escapeStep!), "cell \(cell)")
            let o = run.model.observables(run.final)
            #expect(bulks[cell] == abs(o.c), "cell \(cell)")
        }
        // ns5 plateaus below 1, so it escapes later than exact SpecGD with the same momentum.
        #expect(escapes[4] > escapes[0])
    }

    static func theory(_ point: ModelPoint) -> TheoryConfiguration {
        TheoryConfiguration(method: point.method, lambda: point.lambda, dimension: point.dimension, alpha: point.alpha,
                            learningRate: point.learningRate, steps: point.steps, every: max(point.steps, 1),
                            escapeThreshold: point.escapeThreshold)
    }

    /// `ModelPoint.optimizer`: on a method axis the polar rule reaches the specgd cells only;
    /// on a polar axis `--ns-steps` reaches its Newton–Schulz cells only.
    @Test func eachCellKeepsWhatItsMethodReads() throws {
        var base = Self.base
        base.optimizerOptions = Optimizer(method: .gd, polar: .ns5, newtonSchulzSteps: 8, momentum: 0.5)
        let grid = try Grid.parse(["method=gd,specgd,adam", "polar=svd,ns5"], mode: .theory)
        let configuration = SweepConfiguration(mode: .theory, metrics: [.escapeStep], grid: grid, base: base)
        try configuration.checkOptimizer()
        let optimizers = (0..<grid.count).map { configuration.point(at: $0).optimizer }
        #expect(optimizers[0] == Optimizer(method: .gd, momentum: 0.5))
        #expect(optimizers[1] == optimizers[0])
        #expect(optimizers[2] == Optimizer(method: .specgd, polar: .svd, momentum: 0.5))
        #expect(optimizers[3] == Optimizer(method: .specgd, polar: .ns5, newtonSchulzSteps: 8, momentum: 0.5))
        #expect(optimizers[4] == Optimizer(method: .adam))
        for o in optimizers { try o.validate() }
    }

    @Test(arguments: [
        (["method=gd,adam"], Optimizer(method: .gd, polar: .ns5), "polar"),
        (["polar=svd,ns5"], Optimizer(method: .gd), "no cell runs specgd"),
        (["method=gd,specgd"], Optimizer(method: .gd, beta1: 0.8), "beta1"),
        (["method=gd,specgd", "polar=svd,gram"], Optimizer(method: .gd, newtonSchulzSteps: 3), "newtonSchulzSteps"),
        (["lambda=1,2"], Optimizer(method: .gd, polar: .ns5), "polar"),
    ])
    func optionsNoCellReadsAreRefused(_ axes: [String], _ options: Optimizer, _ fragment: String) throws {
        var base = Self.base
        base.optimizerOptions = options
        let configuration = SweepConfiguration(mode: .theory, metrics: [.escapeStep], grid: try Grid.parse(axes, mode: .theory), base: base)
        #expect(throws: InputError.self) { try configuration.checkOptimizer() }
        do { try configuration.checkOptimizer() } catch let error as InputError { #expect(error.message.contains(fragment), "\(error.message)") }
    }

    /// escape_ratio A/B = escape step of A / escape step of B, each a single theory run.
    @Test(arguments: ["ns5/svd", "specgd/gd", "gd/specgd", "polar-express/ns5", "signgd/gd"])
    func escapeRatioOfAnyTwoOptimizers(_ spec: String) throws {
        let ratio = try EscapeRatio.parse(spec)
        var base = Self.base
        base.method = .specgd
        base.optimizerOptions = Optimizer(method: .specgd, polar: .ns3, momentum: 0.9)
        var configuration = SweepConfiguration(mode: .theory, metrics: [.escapeRatio, .escapeStep],
                                               grid: try Grid.parse(["lambda=2,8", "lr=1e-3,1e-2"], mode: .theory), base: base)
        try configuration.setRatio(ratio)
        let directory = try Fixture.directory()
        _ = try Fixture.run(configuration, in: directory)
        let stored = try SweepRecord.read(from: directory)
        #expect(stored.escapeRatio == ratio)
        let values = try CellsTable(SweepRecord.cellsPath(directory)).numbers("escape_ratio")
        func escape(_ point: ModelPoint) throws -> Double {
            Double(try runOptimizerTheory(Self.theory(point), optimizer: point.optimizer).summary.escape.escapeStep!)
        }
        // Each side by hand: a method keeps the cell's options for it; a polar rule is SpecGD with it.
        func side(_ side: OptimizerPreset, _ point: ModelPoint) -> ModelPoint {
            var q = point
            if let rule = side.optimizer.polar {
                q.method = .specgd
                q.optimizerOptions?.polar = rule
            } else {
                q.method = side.optimizer.method
            }
            return q
        }
        for cell in 0..<configuration.grid.count {
            let point = configuration.point(at: cell)
            let expected = try escape(side(ratio.numerator, point)) / escape(side(ratio.denominator, point))
            #expect(values[cell] == expected, "\(spec) cell \(cell)")
        }
    }

    @Test func ratioIsRefusedWithoutItsMetricAndParsesOneLine() throws {
        var configuration = SweepConfiguration(mode: .theory, metrics: [.escapeStep],
                                               grid: try Grid.parse(["lambda=1,2"], mode: .theory), base: Self.base)
        #expect(throws: InputError.self) { try configuration.setRatio(EscapeRatio.parse("ns5/svd")) }
        for bad in ["gd", "gd/gd", "gd/foo", "a/b/c", "custom/svd"] {
            #expect(throws: InputError.self) { try EscapeRatio.parse(bad) }
        }
        // The paper's ratio is stored as no ratio at all (sweep.json as before).
        configuration.metrics = [.escapeRatio]
        try configuration.setRatio(EscapeRatio.parse("gd/specgd"))
        #expect(configuration.ratio == nil)
    }

    /// A momentum axis: each cell's optimizer carries the axis value.
    @Test func momentumAxis() throws {
        var base = Self.base
        base.method = .specgd
        let configuration = SweepConfiguration(mode: .theory, metrics: [.escapeStep],
                                               grid: try Grid.parse(["momentum=0,0.9"], mode: .theory), base: base)
        #expect(configuration.point(at: 0).optimizer.isPlain)
        #expect(configuration.point(at: 1).optimizer == Optimizer(method: .specgd, momentum: 0.9))
        let values = try (0..<2).map { try TheoryEvaluator().evaluate(configuration.point(at: $0), metrics: [.escapeStep])[0] }
        let plain = try TheoryEvaluator().evaluate(base, metrics: [.escapeStep])[0]
        #expect(values[0] == plain)
        var momentum = Self.theory(configuration.point(at: 1))
        momentum.optimizer = Optimizer(method: .specgd, momentum: 0.9)
        #expect(values[1] == Double(try runTheoryKeepingRows(momentum).summary.escape.escapeStep!))
        #expect(throws: InputError.self) { try GridAxis.parse("momentum=1", mode: .theory) }
    }

    // MARK: phase diagrams

    static func methodSweep() throws -> String {
        let configuration = SweepConfiguration(mode: .theory, metrics: [.escapeStep, .alignmentAtEscape],
                                               grid: try Grid.parse(["lambda=1,8", "method=gd,specgd", "lr=1e-3,1e-2"], mode: .theory),
                                               base: Self.base)
        let directory = try Fixture.directory()
        _ = try Fixture.run(configuration, in: directory)
        return directory
    }

    @Test func nameAxisIsNeverAHeatmapAxisAndSplitsLikeTwoSweeps() throws {
        let directory = try Self.methodSweep()
        #expect(throws: InputError.self) { try PhaseDiagram.load(directory, metric: nil, x: "method", y: nil) }
        #expect(throws: InputError.self) { try PhaseDiagram.load(directory, metric: nil, x: nil, y: nil) }  // method not fixed
        #expect(throws: InputError.self) { try PhaseDiagram.load(directory, metric: nil, x: nil, y: nil, fixing: ["method": "adam"]) }
        #expect(throws: InputError.self) { try PhaseDiagram.load(directory, metric: nil, x: nil, y: nil, fixing: ["method": "1"]) }
        let gd = try PhaseDiagram.load(directory, metric: "escape_step", x: nil, y: nil, fixing: ["method": "gd"])
        let spec = try PhaseDiagram.load(directory, metric: "escape_step", x: nil, y: nil, fixing: ["method": "specgd"])
        #expect(gd.x.name == "lambda" && gd.y.name == "lr" && gd.named == ["method": "gd"])
        #expect(gd.point.method == .gd && spec.point.method == .specgd)
        #expect(!gd.boundary.isEmpty && spec.boundary.isEmpty)
        // The same diagrams as one sweep per method, value for value.
        for (method, diagram) in [(Method.gd, gd), (.specgd, spec)] {
            var base = Self.base
            base.method = method
            let single = SweepConfiguration(mode: .theory, metrics: [.escapeStep],
                                            grid: try Grid.parse(["lambda=1,8", "lr=1e-3,1e-2"], mode: .theory), base: base)
            let singleDirectory = try Fixture.directory()
            _ = try Fixture.run(single, in: singleDirectory)
            let reference = try PhaseDiagram.load(singleDirectory, metric: "escape_step", x: nil, y: nil)
            #expect(diagram.values == reference.values && diagram.csv == reference.csv)
        }
        let comparison = try PhaseComparison(gd, spec)
        #expect(comparison.firstLabel == "GD" && comparison.secondLabel == "SpecGD")
        #expect(comparison.combined[0][0] == spec.values[0][0] / gd.values[0][0])
    }

    /// Titles say which two optimizers escape_ratio compares; the paper's ratio reads as before.
    @Test func ratioFiguresNameTheirOptimizers() throws {
        var base = Self.base
        base.method = .specgd
        base.optimizerOptions = Optimizer(method: .specgd, polar: .ns5, momentum: 0.95, nesterov: true)
        var configuration = SweepConfiguration(mode: .theory, metrics: [.escapeRatio],
                                               grid: try Grid.parse(["lambda=2,8", "lr=1e-3,1e-2"], mode: .theory), base: base)
        try configuration.setRatio(EscapeRatio.parse("specgd/svd"))
        let directory = try Fixture.directory()
        _ = try Fixture.run(configuration, in: directory)
        let figure = PhaseDiagramFigure.figure(try PhaseDiagram.load(directory, metric: nil, x: nil, y: nil))
        // The sides by `Optimizer.polarName` (SpecGD's NS5 on a momentum buffer is Muon), what
        // they share once in the subtitle, in the words of `Optimizer.displayName`.
        #expect(figure.title == "Escape-step ratio Muon (NS5, K = 5) / SpecGD")
        #expect(figure.panels[0].title.hasPrefix("β = 0.95, Nesterov · exact map"))
        #expect(figure.panels[0].heatmap?.label == "escape step ratio specgd/svd")
        let paper = try Fixture.configuration(grid: ["lambda=1,8", "lr=1e-3,1e-2"], metrics: [.escapeRatio], steps: 3000)
        let paperDirectory = try Fixture.directory()
        _ = try Fixture.run(paper, in: paperDirectory)
        let plain = PhaseDiagramFigure.figure(try PhaseDiagram.load(paperDirectory, metric: nil, x: nil, y: nil))
        #expect(plain.title == "Escape-step ratio GD / SpecGD")
        #expect(plain.panels[0].title.hasPrefix("GD vs SpecGD · exact map"))
    }

    // MARK: simulate mode

    /// Dense runs from αI with the population gradient follow the optimizer's exact map
    /// (docs/model.md §6), so a simulate sweep over the optimizer family reproduces theory's
    /// escape steps.
    @Test func simulateOptimizerCellsReproduceTheory() throws {
        var base = ModelPoint(method: .specgd, lambda: 8, dimension: 12, alpha: 1e-2, learningRate: 0.01, steps: 400, escapeThreshold: 0.5, seed: 3)
        base.optimizerOptions = Optimizer(method: .specgd, momentum: 0.9, nesterov: true)
        let grid = try Grid.parse(["method=gd,specgd", "polar=svd,ns5", "lambda=2,8"], mode: .simulate)
        let theory = SweepConfiguration(mode: .theory, metrics: [.escapeStep], grid: grid, base: base)
        var simulate = theory
        simulate.mode = .simulate
        let t = try (0..<grid.count).map { try TheoryEvaluator().evaluate(theory.point(at: $0), metrics: [.escapeStep]) }
        let s = try (0..<grid.count).map { try SimulationEvaluator().evaluate(simulate.point(at: $0), metrics: [.escapeStep]) }
        #expect(t.allSatisfy { $0[0].isFinite })
        #expect(s == t)
    }

    /// `seeds` S > 1: each metric's mean and q10/q50/q90 over the S repetitions of one dense
    /// run with the cell's seed (repetition r on stream r + 1), NaN when one did not escape.
    @Test func seedsGiveMeanAndQuantilesOfTheRepetitions() throws {
        var base = ModelPoint(method: .gd, lambda: 8, dimension: 12, alpha: 1e-2, learningRate: 0.01, steps: 400, escapeThreshold: 0.5, seed: 3)
        base.initialization = .gaussian
        base.seeds = 5
        let configuration = SweepConfiguration(mode: .simulate, metrics: [.escapeStep, .finalLoss],
                                               grid: try Grid.parse(["lambda=1,8", "lr=0.01,0.02"], mode: .simulate), base: base)
        #expect(configuration.metricColumns == ["escape_step_mean", "escape_step_q10", "escape_step_q50", "escape_step_q90",
                                                "final_loss_mean", "final_loss_q10", "final_loss_q50", "final_loss_q90"])
        let directory = try Fixture.directory()
        _ = try SweepRunner(configuration: configuration, directory: directory, jobs: 2, progress: .off,
                            command: ["test"]).run(evaluator: SimulationEvaluator())
        let table = try CellsTable(SweepRecord.cellsPath(directory))
        for cell in 0..<configuration.grid.count {
            let point = configuration.point(at: cell)
            var c = SimulationConfiguration(method: .gd, lambda: point.lambda, dimension: 12, initialization: .gaussian,
                                            alpha: 1e-2, learningRate: point.learningRate, steps: 400, every: 1, seeds: 5, seed: point.seed)
            c.recordWallTime = false
            let runs = try runSimulation(c).perSeed
            let escapes = try runs.map { Double(try EscapeTracker.metrics(of: $0, threshold: 0.5).escapeStep!) }
            let losses = runs.map { $0.column("loss")!.last! }
            for (name, values) in [("escape_step", escapes), ("final_loss", losses)] {
                let sorted = values.sorted()
                let expected = [values.reduce(0, +) / 5, Aggregate.quantile(sorted, 0.1), Aggregate.quantile(sorted, 0.5),
                                Aggregate.quantile(sorted, 0.9)]
                let got = try Metric.statistics.map { try table.numbers("\(name)_\($0)")[cell] }
                #expect(got == expected, "\(name) cell \(cell)")
            }
            #expect(Set(escapes).count > 1, "the repetitions differ")
        }
        // plot-phase's statistic: a column of the cells, one of the four; none for one seed.
        let q90 = try PhaseDiagram.load(directory, metric: "escape_step", x: nil, y: nil, fixing: [:], statistic: "q90")
        #expect(try q90.column == "escape_step_q90" && q90.values[0][0] == table.numbers("escape_step_q90")[0])
        #expect(try PhaseDiagram.load(directory, metric: "escape_step", x: nil, y: nil).statistic == "mean")
        #expect(throws: InputError.self) { try PhaseDiagram.load(directory, metric: "escape_step", x: nil, y: nil, fixing: [:], statistic: "q99") }
        #expect(Metric.summary([1, .nan, 3]).allSatisfy { $0.isNaN })
    }

    @Test func batchAxisTrainsOnline() throws {
        var base = ModelPoint(method: .gd, lambda: 8, dimension: 12, alpha: 1e-2, learningRate: 0.01, steps: 50, escapeThreshold: 0.5, seed: 3)
        base.initialization = .gaussian
        let configuration = SweepConfiguration(mode: .simulate, metrics: [.finalLoss],
                                               grid: try Grid.parse(["batch=8,32"], mode: .simulate), base: base)
        #expect(SimulationEvaluator.configuration(configuration.point(at: 1)).training == .online(batch: 32))
        #expect(throws: InputError.self) { try GridAxis.parse("batch=8", mode: .theory) }
        var both = configuration.point(at: 0)
        both.samples = 100
        #expect(throws: InputError.self) { try SimulationEvaluator().validate(both) }
    }
}
