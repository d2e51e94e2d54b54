import ArgumentParser
import Experiments
import Foundation
import Plot
import SpecgdSupport
import Model
import Theory

/// `specgd figures`: the full figure set, each SVG with its CSV, JSON sidecar and recipe.
struct FiguresCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "figures",
        abstract: "Regenerate the full figure set (SVG + the CSV/JSON each was drawn from).",
        discussion: """
        Writes to DIR, for each figure NAME: NAME.svg, NAME.recipe.json (which columns it draws), and the \
        CSV files it reads with their JSON sidecars (configuration, version, command):
          trajectories      a, b, c, b/a, loss, alignment of GD vs SpecGD at λ (theory map lines, dense
                            simulations from a gaussian start as markers with a 10–90 % seed band)
          escape-vs-lambda  signal–spike alignment and peak spike growth b/a at escape (the claim), escape
                            step and overall alignment, vs λ (λ_c marked)
          escape-vs-dim     the same vs d
          loss              loss curves of both methods at three λ (curves that coincide share one entry)
          bulk              bulk mass q, bulk coefficient c and signal a over a long run (bulk contraction)
          power-law         a power-law covariance with θ* on a low-variance direction
          muon-at-scale     peak b/a and escape step vs d = 10³…10⁸ for GD, exact SpecGD, NS5 (K = 5, 8,
                            10) and Polar Express at several λ (α = 1/d, η = 0.3/√d)
        All runs but the overlaid simulations use the exact summary map. Defaults take well under a minute \
        in a release build; --quick shrinks every size (for CI and smoke tests), --full enlarges them. \
        Every figure has the width of --size, its panels sharing it.
        The simulations differ from simulate's defaults on purpose: they start from a gaussian W₀ (from αI \
        a simulation only replays the map) and use several seeds, whose 10–90 % band the figures draw.
        Then `specgd export-notebook DIR --output notebooks-export/figures.ipynb` redraws them in matplotlib.
        The covariance options of theory (--spikes, --covariance power-law|diagonal) set Σ of every figure but \
        power-law (its own power law, or the requested β and signal index with --covariance power-law); a figure \
        that cannot take it is skipped with a one-line reason (escape-vs-lambda, loss and muon-at-scale vary λ; \
        escape-vs-dim varies d, which a spectrum file fixes). The trajectories' dense runs measure a, b, c, q through \
        the map's groups (docs/model.md §5), so they overlay on every covariance.

        The second side is exact SpecGD unless --method and the optimizer options name another optimizer of \
        the family (docs/model.md §6): it then replaces SpecGD in every figure but muon-at-scale (unchanged), \
        and GD stays plain GD, the paper's baseline (--method gd alone is the paper's set). Its CSV columns \
        and trajectory file are optimizer_… (specgd_… is exact SpecGD only), the sidecars record it as \
        options.optimizer, and legends and titles name it. Exact SpecGD's closed forms (the post-escape \
        2-cycle band of c, the η and η² levels) are drawn for exact SpecGD only; GD's λ_c stays.
        Example (Muon): specgd figures --method specgd --polar ns5 --momentum 0.95 --nesterov --output-dir out/figures-muon
        """)

    @Option(name: .customLong("output-dir"), help: "Directory for the figures and their data (created if needed).")
    var outputDirectory: String

    @Flag(help: "Small sizes (simulation d = 12, 2 seeds, fewer λ and d values, shorter runs; muon-at-scale: 3 dimensions, λ = 1 and 16).")
    var quick = false

    @Flag(help: "Paper sizes (figures 7 in wide unless --size says otherwise): simulation d = 100 with 5 seeds, 25 λ values, 13 dimensions up to 10⁵, 20 000-step runs, muon-at-scale in half decades of d (a minute or two in release).")
    var full = false

    @Option(help: ArgumentHelp("Make only these figures (comma-separated names from the list above); the others are not computed.", valueName: "names"))
    var only: CommaSeparated<String>?

    @Flag(name: .customLong("no-title"), help: "Draw no title in the SVGs (for a paper, whose caption says it): each title stays in NAME.recipe.json, which the report and the notebook read.")
    var noTitle = false

    @Option(name: .customLong("lambda"), parsing: .unconditional, help: "Spike strength λ of the trajectory, dimension, bulk and loss figures.")
    var lambda: Double = 8

    @Option(parsing: .unconditional, help: "Seeds of the overlaid simulations (default: 3, or 2 with --quick).")
    var seeds: Int?

    @Option(help: "Method of the optimizer drawn against plain GD (default: specgd; gd with no optimizer option is the paper's set too).")
    var method: Method?

    @OptionGroup(title: "Optimizer options (the side drawn against plain GD)") var optimizerOptions: OptimizerOptions

    @OptionGroup(title: "Covariance options (Σ of every figure but power-law's own; a figure that cannot take it is skipped, with the reason)")
    var covariance: CovarianceOptions

    @OptionGroup(title: "Figure formats") var figureFormats: FigureFormatOptions

    @OptionGroup var resources: ResourceOptions

    /// --only's names (all figures without it), refusing an unknown one with the name it was probably meant as.
    func selectedNames() throws -> [String] {
        guard let only else { return FigureSet.names }
        try only.check("--only")
        for name in only.values where !FigureSet.names.contains(name) {
            throw InputError("--only: no figure is named '\(name)'\(Suggestion.phrase(for: name, among: FigureSet.names)) "
                             + "(figures: \(FigureSet.names.joined(separator: ", ")))")
        }
        return FigureSet.names.filter(only.values.contains)
    }

    func validate() throws { try OptionNames.translating(checkOptions) }

    private func checkOptions() throws {
        if quick && full { throw InputError("--quick and --full are exclusive") }
        _ = try selectedNames()
        _ = try figureFormats.formats()
        try Validate.spike(lambda)
        if let seeds { try Validate.atLeast(seeds, 1, "seeds") }
        // Sized before it is read, and the set's largest run before it allocates.
        try resources.checkInputs(covariance.inputFiles(nsCoefficients: optimizerOptions.nsCoefficients))
        try request().validate()
        try resources.check(FigureSet(try request()).memoryEstimate, for: "figures")
        try OutputPath.checkDirectory(outputDirectory)
    }

    /// The optimizer of the second side: exact SpecGD unless the options name another one.
    /// Plain GD is the baseline itself, so `--method gd` alone (e.g. a run file's default for its
    /// theory steps) keeps the paper's set; GD with momentum, decay or a scale is drawn against it.
    func comparedOptimizer() throws -> Optimizer {
        let optimizer = try optimizerOptions.optimizer(method ?? .specgd)
        return optimizer == Optimizer(method: .gd) ? Optimizer(method: .specgd) : optimizer
    }

    func run() throws {
        // SIGINT/SIGTERM: the figure being made (or converted) is dropped, the finished ones are
        // written, no converter is left running, and the exit status is 130/143.
        let watcher = SignalWatcher(notice: "specgd: NAME received; stopping after the current figure and writing the finished ones")
        // Figures of very unequal cost: the ETA follows the set's work model, a figure counting
        // once it is made (the callback names each figure before it is made).
        let request = try request(), selected = try selectedNames()
        for name in selected { if let reason = request.unsupported(name) { print("skipped \(name): \(OptionNames.translated(reason))") } }
        let names = selected.filter { request.unsupported($0) == nil }
        let set = FigureSet(request), work = set.estimatedWork
        let progress = Progress(label: "figures", total: names.count, mode: .automatic, schedule: Progress.runSchedule(),
                                totalWork: names.reduce(0) { $0 + (work[$1] ?? 0) })
        // The dense steps of the trajectories figure: its estimate and progress lines (a long
        // --seeds run said nothing until the figure was done).
        let steps = SpecgdSupport.Progress.forRun(label: "figures: trajectories simulations", total: names.contains("trajectories") ? set.simulationSteps : 0)
        var making: String?
        var output = try FigureSet.run(request, only: Set(names), cancellation: watcher.token, simulationProgress: steps) { name in
            if let made = making { progress.advance(work: work[made]) }
            making = name
        }
        steps.finish()
        if let made = making, output.figures.contains(where: { $0.name == made }) { progress.advance(work: work[made]) }
        progress.finish()
        if noTitle { output.updateFigures { $0.drawsTitle = false } }
        let formats = try figureFormats.formats()
        // Stopped while computing: all the finished figures are written; while writing: the
        // writing stops after the current figure.
        let stopWriting = watcher.token.isCancelled ? nil : watcher.token
        do {
            try output.write(to: outputDirectory, command: CommandWords.arguments, formats: formats, cancellation: stopWriting)
        } catch is RunInterrupted {}
        watcher.rowsWritten()
        if let reason = watcher.token.cancellationReason {
            let complete = output.figures.filter { recipe in
                (["\(recipe.name).svg"] + formats.extraFiles(forSVG: recipe.name)).allSatisfy {
                    FileManager.default.fileExists(atPath: ExperimentOutput.path($0, in: outputDirectory))
                }
            }.map(\.name)
            FileHandle.standardError.write(Data("specgd: interrupted (\(reason)); \(complete.count) of \(names.count) figures written to \(outputDirectory)\(complete.isEmpty ? "" : ": " + complete.joined(separator: ", "))\n".utf8))
            throw ExitCode(SignalWatcher.exitStatus(for: reason))
        }
        let kinds = (["SVG"] + formats.extras.map { $0.rawValue.uppercased() }).joined(separator: ", ")
        print("Wrote \(output.figures.count) figures (\(kinds), CSV, JSON, recipe) to \(outputDirectory):")
        for recipe in output.figures {
            let names = ["\(recipe.name).svg"] + formats.extraFiles(forSVG: recipe.name)
            print("  " + names.map { ExperimentOutput.path($0, in: outputDirectory) }.joined(separator: ", "))
        }
    }

    /// The figure set these options describe.
    func request() throws -> FigureSetRequest {
        var request = quick ? FigureSetRequest.quick : (full ? FigureSetRequest.full : FigureSetRequest())
        request.lambda = lambda
        if let seeds { request.seeds = seeds }
        request.size = figureFormats.size ?? (full ? .double : .screen)
        request.optimizer = try comparedOptimizer()
        if covariance.kind == .custom {
            throw InputError("--config (custom groups) is theory only: figures take --covariance spiked, power-law and diagonal")
        }
        try covariance.apply(to: &request.experiment)
        // A spectrum file fixes d: the theory figures run at its d.
        if let spectrum = request.experiment.spectrum { request.theoryDimension = spectrum.count }
        return request
    }
}
