import Model
import ArgumentParser
import Foundation
import SpecgdSupport

/// docs/cli.md and the pinned `--help` texts (Tests/CLITests/Help/<command>.txt), both generated
/// from the command definitions: the test suite checks they are current and
/// `scripts/update-help` (through the hidden `specgd help-markdown`) regenerates them.
enum CLIReference {
    /// Help is rendered at a fixed width, so it reads the same on every terminal and machine.
    static let columns = 100

    /// The file name of each snapshot (`specgd` for the root) and its command.
    static var commands: [(name: String, type: ParsableCommand.Type)] {
        [("specgd", SpecGD.self)] + SpecGD.configuration.groupedSubcommands.flatMap(\.subcommands).map {
            ($0.configuration.commandName ?? "\($0)", $0)
        }
    }

    /// `specgd --help` or `specgd <command> --help` at `columns`.
    static func helpText(for command: ParsableCommand.Type) -> String {
        command == SpecGD.self ? SpecGD.helpMessage(columns: columns)
            : SpecGD.helpMessage(for: command, columns: columns)
    }

    /// The CLI reference: a table of contents, the conventions every command follows, then
    /// each command's options (one anchor each, `#COMMAND-OPTION`, e.g. `#sweep-dry-run`) and
    /// its help.
    static func markdown() -> String {
        let groups = SpecGD.configuration.groupedSubcommands
        var text = introduction
        text += "\n## Contents\n\n- [One vocabulary](#one-vocabulary)\n"
        for group in groups {
            text += "- [\(group.name)](#\(anchor(group.name)))\n"
            for command in group.subcommands {
                let name = command.configuration.commandName ?? "\(command)"
                text += "  - [specgd \(name)](#specgd-\(name)): \(command.configuration.abstract)\n"
            }
        }
        text += "\n" + vocabulary
        for group in groups {
            text += "\n## \(group.name)\n"
            for command in group.subcommands {
                let configuration = command.configuration
                let name = configuration.commandName ?? "\(command)"
                text += "\n### specgd \(name)\n\n\(configuration.abstract)\n\n\(optionTable(command, name: name))"
                text += "\n```text\n\(helpText(for: command))```\n"
            }
        }
        return text
    }

    /// A heading's GitHub anchor: lower case, spaces to hyphens, other punctuation dropped.
    static func anchor(_ heading: String) -> String {
        String(heading.lowercased().compactMap { $0 == " " ? "-" : ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") ? $0 : nil })
    }

    /// One row per argument the help shows, each with its anchor `COMMAND-NAME` (`COMMAND-VALUE`
    /// for a positional argument), so other documents can link to one option.
    static func optionTable(_ command: ParsableCommand.Type, name: String) -> String {
        let arguments = CommandOptions(command).shown
        guard !arguments.isEmpty else { return "" }
        var table = "| option | |\n| --- | --- |\n"
        for argument in arguments {
            let id = "\(name)-" + anchor(argument.name ?? argument.valueName ?? "argument")
            let usage = argument.name.map { "--\($0)" + (argument.valueName.map { " <\($0)>" } ?? "") } ?? "<\(argument.valueName ?? "argument")>"
            let help = argument.abstract.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
            table += "| <a id=\"\(id)\"></a>`\(usage)` | \(help) |\n"
        }
        return table
    }

    static let introduction = """
    # specgd command-line reference

    <!-- Generated from the command definitions in Sources/SpecgdCLI by scripts/update-help \
    (`specgd help-markdown`); do not edit by hand. The test suite checks that it is current. -->

    Every command below prints the same text with `specgd <command> --help`. The conventions \
    they share are stated once, here. Each option has an anchor, `cli.md#COMMAND-OPTION` \
    (e.g. [`#sweep-dry-run`](#sweep-dry-run)).

    """

    static let vocabulary = """
    ## One vocabulary

    - **Outputs.** `--output FILE` writes one file and its JSON sidecar next to it (FILE with \
    the extension `.json`; `theory`, `simulate`, and `export-notebook`, whose notebook has no \
    sidecar). `--output-dir DIR` writes a folder of files (`compare`, `check-escape`, `figures`, \
    `sweep`, `merge`, `plot-phase`). The folder holding `--output FILE` must exist; \
    `--output-dir DIR` creates its last level only. An output file is a regular file or nothing: \
    outputs never follow or replace symbolic links, FIFOs or devices, and never overwrite the \
    command's own inputs ([contracts](contracts.md#paths-and-divergence)).
    - **Inputs.** The directories a command reads are positional arguments: \
    `plot-phase DIR`, `merge DIR…`, `export-notebook DIR`.
    - **Workers.** `--jobs J` is the number of worker threads wherever work runs in parallel \
    (seed repetitions in `simulate`, `compare`, `check-escape`; cells in `sweep`). It defaults \
    to the number of cores and never changes the outputs. `simulate --blas-threads N` is a \
    different thing: OpenBLAS threads inside one run.
    - **Shared defaults.** The same option has the same default in every command: \
    `--lambda 8`, `--dim 1000`, `--alpha 1e-3`, `--lr 1e-3`, `--steps 10000`, `--every 10`, \
    `--escape-threshold 0.5`, `--init identity`, `--seeds 1`, `--seed 0`. Two commands differ on \
    purpose and say why in their help: `check-escape` (dense simulations at every step: \
    `--dim 32`; random starts, `--init gaussian`, averaged over `--seeds 3`) and `figures` \
    (figure sizes from `--quick`/`--full`; simulations from a gaussian start with a seed band).
    - **One experiment.** `theory`, `simulate`, `compare` and `sweep` read the same experiment \
    options (`--method --lambda --dim --alpha --lr --steps --every --escape-threshold`; \
    `check-escape` the same `--dim --alpha --lr --escape-threshold` group, with its own default d), checked \
    once by the library (`Model.Experiment`, docs/model.md §7); `theory` and `simulate` share the \
    covariance options (`--covariance --spikes --spectrum --beta --signal-index --config`), \
    `simulate` and `compare` the dense-run options (`--width --init --teacher --samples --online \
    --batch --polar --ns-steps --momentum --nesterov --seeds --seed`). A backend refuses what it \
    cannot run in one line (dense runs take no `--config` groups; the theory needs d ≥ 3).
    - **Lists.** `--lambdas`, `--methods`, `--spikes` and `--metric` take comma-separated \
    values; a bad element is a command-line error.
    - **Choices.** Options with a fixed set of values list them (and what each means) in the help.
    - **Errors.** Every failure is one line on stderr, `Error: <message>`. A command-line mistake \
    (unknown option, bad value, missing value) exits with status 64 and ends with \
    `(see 'specgd <command> --help')`; a refused input exits with status 1. Messages name the \
    flag you typed; the library's own messages name the configuration field instead \
    (`learningRate must be > 0` for `--lr`).
    - **Experiment files.** `specgd run FILE` runs a list of these commands from a YAML or JSON \
    file whose keys are the same option names without `--` (`dim: 100`, `methods: [gd, specgd]`, \
    `online: true`); see `specgd run` below and `examples/*.yaml`.
    - **Records.** Every JSON record carries `command`: the command line, shell-quoted and \
    starting with `specgd` (never the path of the binary that ran), so it can be pasted back.

    """
}

/// `specgd help-markdown` (hidden): writes docs/cli.md and the help snapshots.
struct HelpMarkdownCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "help-markdown",
        abstract: "Write the CLI reference (docs/cli.md) and the --help snapshots.",
        shouldDisplay: false)

    @Option(help: "Markdown file to write (docs/cli.md).")
    var output: String?

    @Option(name: .customLong("help-dir"), help: "Folder for one <command>.txt --help snapshot per command.")
    var helpDirectory: String?

    func run() throws {
        if let output { try AtomicFile.write(Data(CLIReference.markdown().utf8), to: output) }
        if let helpDirectory {
            try AtomicFile.createDirectory(helpDirectory)
            for (name, command) in CLIReference.commands {
                try AtomicFile.write(Data(CLIReference.helpText(for: command).utf8), to: helpDirectory + "/\(name).txt")
            }
        }
        if output == nil && helpDirectory == nil { print(CLIReference.markdown(), terminator: "") }
    }
}
