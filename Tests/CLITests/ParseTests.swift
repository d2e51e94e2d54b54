import ArgumentParser
import Foundation
import Machine
@testable import SpecgdCLI
import Experiments
import Model
import Simulation
import Theory
import SpecgdSupport
import Testing

/// Option semantics, parsed in-process (`SpecGD.parseAsRoot` runs every `validate()`); no
/// process is spawned and nothing is computed.
@Suite struct ParseTests {
    static let folder = NSTemporaryDirectory()

    static func parse<C: ParsableCommand>(_ arguments: String, as _: C.Type = C.self) throws -> C {
        let words = arguments.split(separator: " ").map { $0.replacingOccurrences(of: "TMP", with: folder) }
        let command = try SpecGD.parseAsRoot(words)
        return try #require(command as? C)
    }

    /// The one line `main` prints for `arguments`, or nil when they parse and validate.
    static func error(_ arguments: String) -> String? {
        let words = arguments.split(separator: " ").map { $0.replacingOccurrences(of: "TMP", with: folder) }
        do { _ = try SpecGD.parseAsRoot(words); return nil } catch { return SpecGD.errorLine(for: error, arguments: words) }
    }

    /// --size picks the figures' width; --full alone means paper (double column), --quick and
    /// the default the screen.
    @Test func figureSizeFollowsFullUnlessGiven() throws {
        func size(_ options: String) throws -> String { try Self.parse("figures --output-dir TMP/f " + options, as: FiguresCommand.self).request().size.rawValue }
        #expect(try size("") == "screen" && size("--quick") == "screen" && size("--full") == "double")
        #expect(try size("--full --size screen") == "screen" && size("--quick --size single") == "single")
        #expect(Self.error("figures --output-dir TMP/f --size a4")?.contains("'screen', 'single' or 'double'") == true)
    }

    /// The figures' second side: exact SpecGD by default and for `--method gd` alone (plain GD
    /// is the baseline; a run file's `method: gd` default keeps the paper's set); otherwise the
    /// optimizer of the options, SpecGD's unless --method says another.
    @Test func figuresSecondSideFollowsTheOptimizerOptions() throws {
        func optimizer(_ options: String) throws -> Optimizer {
            try Self.parse("figures --output-dir TMP/f " + options, as: FiguresCommand.self).request().optimizer
        }
        for options in ["", "--method gd", "--method specgd", "--method specgd --polar svd", "--method gd --momentum 0"] {
            #expect(try optimizer(options) == Optimizer(method: .specgd), "\(options)")
            #expect(try Self.parse("figures --output-dir TMP/f " + options, as: FiguresCommand.self).request() == FigureSetRequest(), "\(options)")
        }
        #expect(try optimizer("--polar ns5 --momentum 0.95 --nesterov") == .muon)
        #expect(try optimizer("--method specgd --polar ns5 --momentum 0.95 --nesterov") == .muon)
        #expect(try optimizer("--method gd --momentum 0.9") == Optimizer(method: .gd, momentum: 0.9))
        #expect(try optimizer("--method adam --weight-decay 0.01 --beta2 0.99") == Optimizer(method: .adam, weightDecay: 0.01, beta2: 0.99))
        #expect(try optimizer("--method signgd") == Optimizer(method: .signgd))
    }

    @Test func sharedDefaults() throws {
        let theory = try Self.parse("theory --output TMP/t.csv", as: TheoryCommand.self)
        let simulate = try Self.parse("simulate --output TMP/s.csv", as: SimulateCommand.self)
        let compare = try Self.parse("compare --output-dir TMP/c", as: CompareCommand.self)
        let sweep = try Self.parse("sweep --grid lambda=1,2 --output-dir TMP/w", as: SweepCommand.self)
        for model in [theory.model, simulate.model, compare.model, sweep.model] {
            #expect(model.dimension == 1000 && model.lambda == 8 && model.alpha == 1e-3 && model.learningRate == 1e-3)
            #expect(model.steps == 10000 && model.every == 10 && model.escapeThreshold == 0.5 && model.method.rawValue == "gd")
        }
        // One dense-run group (DenseOptions) in simulate, compare, check-escape and sweep; its defaults resolved.
        let dense = try simulate.makeConfiguration(), compared = try compare.simulationConfiguration(.gd)
        #expect(dense.initialization == .identity && compared.initialization == .identity)
        #expect(dense.seeds == 1 && compared.seeds == 1 && sweep.seeds == 1)
        #expect(dense.seed == 0 && compared.seed == 0 && sweep.seed == 0)
        #expect(theory.stepper.rawValue == "rk8pd" && theory.switching == nil)
        // check-escape's own defaults (its help says why).
        let check = try Self.parse("check-escape --output-dir TMP/e", as: CheckEscapeCommand.self)
        #expect(check.dimension == 32 && check.initialization.rawValue == "gaussian" && check.seeds == 3)
        #expect(try check.lambdaList() == [1, 2, 4, 8, 16])
    }

    @Test func commaLists() throws {
        let check = try Self.parse("check-escape --lambdas 0.5,2,8 --output-dir TMP/e", as: CheckEscapeCommand.self)
        #expect(try check.lambdaList() == [0.5, 2, 8])
        let compare = try Self.parse("compare --methods specgd,gd --output-dir TMP/c", as: CompareCommand.self)
        #expect(try compare.methodList().map(\.rawValue) == ["specgd", "gd"])
        let simulate = try Self.parse("simulate --spikes 8,4 --output TMP/s.csv", as: SimulateCommand.self)
        #expect(try simulate.makeConfiguration().spikes == [8, 4])
        // --metric: comma-separated and repeated, in order.
        let sweep = try Self.parse("sweep --metric escape_step --metric final_loss,amplification --grid lambda=1,2 --output-dir TMP/w",
                                   as: SweepCommand.self)
        #expect(try sweep.makeConfiguration().metrics.map(\.rawValue) == ["escape_step", "final_loss", "amplification"])
        let plain = try Self.parse("sweep --grid lambda=1,2 --output-dir TMP/w", as: SweepCommand.self)
        #expect(try plain.makeConfiguration().metrics.map(\.rawValue) == ["alignment_at_escape", "escape_step"])
        // One parsing path: every list reports a bad element the same way — an element the type
        // does not take as the parser does, an empty field or a non-finite number as bad input.
        for (option, command) in [("--lambdas", "check-escape --output-dir TMP/e"), ("--spikes", "simulate --output TMP/s.csv")] {
            for (bad, expected) in [("1,,2", "Error: \(option) '1,,2' has an empty field"), ("1,", "Error: \(option) '1,' has an empty field"),
                                    ("1,x", "Error: The value '1,x' is invalid for '\(option) "),
                                    ("inf", "Error: \(option) 'inf' holds a non-finite number (inf)")] {
                let line = Self.error("\(command) \(option) \(bad)")
                #expect(line?.hasPrefix(expected) == true, "\(line ?? "none")")
            }
        }
        #expect(Self.error("compare --methods gd,gd --output-dir TMP/c")?.contains("distinct") == true)
        #expect(Self.error("sweep --metric escape_step,escape_step --grid lambda=1 --output-dir TMP/w") == nil)  // refused by run()
    }

    @Test func enumOptions() throws {
        let theory = try Self.parse("theory --flow --stepper RK4 --method specgd --switching both --output TMP/t.csv", as: TheoryCommand.self)
        #expect(theory.stepper.rawValue == "rk4" && theory.switching?.rawValue == "both" && theory.model.method.rawValue == "specgd")
        #expect(try theory.makeConfiguration().flow.stepper.rawValue == "rk4")
        let line = Self.error("theory --flow --stepper rk9 --output TMP/t.csv")
        #expect(line == "Error: The value 'rk9' is invalid for '--stepper <stepper>'. Please provide one of the following: "
                + "rk2, rk4, rkf45, rkck, rk8pd, rk1imp, rk2imp, rk4imp, bsimp, msadams, msbdf. (see 'specgd theory --help')")
        #expect(Self.error("simulate --polar gram --method specgd --output TMP/s.csv") == nil)
        #expect(Self.error("compare --method specgd --polar gram --output-dir TMP/c") == nil)  // its help listed only svd, ns3, ns5
        let phase = try Self.parse("plot-phase TMP --metric escape_step --x lr --y dim", as: PlotPhaseCommand.self)
        #expect(phase.metric?.rawValue == "escape_step" && phase.x?.rawValue == "lr" && phase.y?.rawValue == "dim")
    }

    @Test func vocabulary() throws {
        // Inputs are positional; --from is kept as a deprecated alias.
        let notebook = try Self.parse("export-notebook TMP/figs --output TMP/n.ipynb", as: ExportNotebookCommand.self)
        #expect(notebook.input == Self.folder + "/figs")
        let old = try Self.parse("export-notebook --from TMP/figs --output TMP/n.ipynb", as: ExportNotebookCommand.self)
        #expect(old.input == Self.folder + "/figs")
        #expect(Self.error("export-notebook TMP/a --from TMP/b --output TMP/n.ipynb")?.contains("once") == true)
        // Workers are --jobs everywhere; --blas-threads (old spelling --threads) is BLAS threads in one run.
        let simulate = try Self.parse("simulate --jobs 1 --blas-threads 2 --output TMP/s.csv", as: SimulateCommand.self)
        #expect(simulate.simulation.threads == 2 && simulate.parallel.jobs == 1)
        #expect(try Self.parse("simulate --jobs 1 --threads 3 --output TMP/s.csv", as: SimulateCommand.self).simulation.threads == 3)
        #expect(Self.error("simulate --jobs 2 --blas-threads 2 --output TMP/s.csv")?.contains("--blas-threads only with --jobs 1") == true)
        let sweep = try Self.parse("sweep --grid lambda=1,2 --output-dir TMP/w", as: SweepCommand.self)
        #expect(sweep.parallel.jobs == nil && sweep.workers == ProcessInfo.processInfo.activeProcessorCount)
        #expect(try Self.parse("sweep --jobs 3 --grid lambda=1,2 --output-dir TMP/w", as: SweepCommand.self).workers == 3)
    }

    @Test func recordedCommand() {
        #expect(Invocation.shellQuoted(["specgd", "theory", "--output", "a b.csv", "--lambda", "-0.5", "it's"])
                == "specgd theory --output 'a b.csv' --lambda -0.5 'it'\\''s'")
        #expect(CommandWords.arguments.first == "specgd")
        let record = RunRecord(kind: "test", configuration: ["x": 1], summary: ["y": 2])
        #expect(record.command.hasPrefix("specgd"))
    }

    @Test func errorLines() {
        #expect(Self.error("theory --dim") == "Error: Missing value for '--dim <dim>' (see 'specgd theory --help')")
        #expect(Self.error("no-such-command")?.hasSuffix("(see 'specgd --help')") == true)
        #expect(Self.error("theory --alpha 0 --output TMP/t.csv")?.hasPrefix("Error: --alpha must be > 0") == true)
    }

    /// The library validates the shared experiment once, so a bad value reads the same in every
    /// command that takes it, with the flag the user typed.
    @Test func oneBadValueOneMessageInEveryCommand() {
        let commands = ["theory --output TMP/t.csv", "simulate --output TMP/s.csv", "compare --output-dir TMP/c",
                        "sweep --grid lambda=1,2 --output-dir TMP/w"]
        for (bad, message) in [("--lr -1", "Error: --lr must be > 0 (got -1.0)"), ("--dim 1", "Error: --dim must be >= 2 (got 1)"),
                               ("--every 0", "Error: --every must be >= 1 (got 0)"),
                               ("--escape-threshold 0", "Error: --escape-threshold must be > 0 (got 0.0)")] {
            for command in commands {
                #expect(Self.error(command + " " + bad) == message, "\(command) \(bad)")
            }
        }
        // The backend's own limit, in its own words: the grouped theory needs a bulk.
        #expect(Self.error("theory --dim 2 --output TMP/t.csv") == "Error: --dim must be >= 3 (got 2)")
        #expect(Self.error("simulate --dim 2 --output TMP/s.csv") == nil)
    }

    /// Every field a library check names has a flag (or is a field no command sets), and every
    /// flag of the map is an option some command has.
    @Test func everyFieldInAMessageHasAFlag() throws {
        var theory = TheoryConfiguration()
        var failures: [InputError] = []
        func collect(_ body: () throws -> Void) {
            do { try body(); Issue.record("accepted") } catch let e as InputError { failures.append(e) } catch { Issue.record("\(error)") }
        }
        for change: (inout TheoryConfiguration) -> Void in [
            { $0.dimension = 2 }, { $0.learningRate = 0 }, { $0.alpha = 0 }, { $0.every = 0 }, { $0.steps = -1 },
            { $0.escapeThreshold = 0 }, { $0.lambda = -2 }, { $0.beta = -1 }, { $0.covariance = .diagonal },
            { $0.spectrum = [1] }, { $0.covariance = .custom }, { $0.spikes = [] }, { $0.spikes = [1, 2]; $0.dynamics = .largeD },
            { $0.covariance = .powerLaw; $0.signalIndex = 0 }, { $0.dynamics = .flow; $0.flow.tEnd = 0 },
            { $0.dynamics = .flow; $0.flow.absoluteTolerance = 0; $0.flow.relativeTolerance = 0 },
            { $0.dynamics = .flow; $0.flow.epsilon = 0 },
        ] {
            theory = TheoryConfiguration()
            change(&theory)
            collect { try theory.validate() }
        }
        for change: (inout SimulationConfiguration) -> Void in [
            { $0.width = 0 }, { $0.seeds = 0 }, { $0.method = .specgd; $0.optimizer.polar = .ns5; $0.optimizer.newtonSchulzSteps = 0 },
            { $0.optimizer.momentum = 1 }, { $0.optimizer.nesterov = true }, { $0.optimizer.polar = .ns5 },
            { $0.method = .specgd; $0.optimizer.newtonSchulzEpsilon = 1 }, { $0.method = .specgd; $0.optimizer.safetyFactor = 1 },
            { $0.method = .specgd; $0.optimizer.polar = .custom }, { $0.optimizer.weightDecay = -1 },
            { $0.optimizer.beta1 = 0.5 }, { $0.method = .adam; $0.optimizer.beta2 = 1 }, { $0.method = .adam; $0.optimizer.adamEpsilon = 0 },
            { $0.width = 3 }, { $0.training = .samples(0) }, { $0.training = .online(batch: 0) }, { $0.covariance = .custom },
            { $0.spikes = [1]; $0.covariance = .powerLaw }, { $0.explosionLimit = 0 },
        ] {
            var simulation = SimulationConfiguration()
            change(&simulation)
            collect { try simulation.validate() }
        }
        let fields = Set(failures.flatMap(\.fields))
        #expect(fields.count >= 20, "\(fields.sorted())")
        #expect(fields.subtracting(OptionNames.flags.keys) == ["explosionLimit"], "\(fields.sorted())")
        let help = CLIReference.commands.map { CLIReference.helpText(for: $0.type) }.joined(separator: "\n")
        for flag in OptionNames.flags.values {
            #expect(help.contains(flag + " ") || help.contains(flag + "\n"), "\(flag) is no command's option")
        }
    }
}
