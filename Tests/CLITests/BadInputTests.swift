import Model
import ArgumentParser
import Foundation
@testable import SpecgdCLI
import Testing

/// Bad input that cannot hurt: every case is refused before any work, with a non-zero exit
/// status, exactly one line on stderr (no usage block, no backtrace) that names the problem,
/// and nothing left in the output location. The cases run in-process (`SpecGD.parseAsRoot`, which
/// runs every `validate()`, and `SpecGD.errorLine`, the line `main` prints); the few that only
/// `run()` refuses go through the executable, as does `endToEnd`. `OUT` in an argument is the case's fresh output
/// directory; `FILES` is a directory of prepared inputs (a spectrum file, config files, a file
/// standing where a folder should be). The cases are cheap by construction: a refusal that
/// only came after computing would show as a slow test.
struct BadInputCase: CustomTestStringConvertible, Sendable {
    let arguments: [String]
    /// A fragment the one stderr line must contain.
    let message: String
    var testDescription: String { arguments.joined(separator: " ") }

    init(_ arguments: String, _ message: String) {
        self.arguments = arguments.split(separator: " ").map { $0 == "''" ? "" : String($0) }
        self.message = message
    }
}

@Suite struct BadInputTests {
    static let cases: [BadInputCase] = [
        // Resource guard: refused with the estimate and the limit, before allocating.
        .init("simulate --dim 1000000000 --width 1 --init gaussian --output OUT/o.csv", "needs an estimated"),
        .init("simulate --dim 20 --samples 1000000000 --output OUT/o.csv", "n×d samples"),
        .init("simulate --dim 20 --online --batch 1000000000 --output OUT/o.csv", "batch×d samples"),
        .init("simulate --dim 20 --batch 1000000000 --output OUT/o.csv", "batch×d samples"),
        .init("simulate --dim 4096 --method specgd --memory-limit 0.01 --output OUT/o.csv", "--memory-limit 0.01"),
        .init("simulate --dim 64 --memory-limit 0 --output OUT/o.csv", "memory-limit must be > 0"),
        .init("simulate --dim 64 --memory-limit -2 --output OUT/o.csv", "memory-limit must be > 0"),
        .init("compare --dim 1000000000 --output-dir OUT/c", "compare needs an estimated"),
        .init("check-escape --dim 1000000000 --output-dir OUT/c", "check-escape (gd"),
        .init("sweep --mode simulate --dim 1000000000 --grid lambda=1,2 --output-dir OUT/s", "cell 0 (lambda=1)"),
        .init("sweep --mode simulate --dim 64 --samples 1000000000 --grid lambda=1,2 --output-dir OUT/s", "n×d samples"),
        .init("theory --covariance power-law --dim 100000000 --output OUT/t.csv", "columns"),
        // Long outputs: rows × columns and the CSV size.
        .init("theory --steps 100000000000 --every 1 --output OUT/t.csv", "on disk"),
        .init("simulate --dim 20 --steps 100000000000 --every 1 --output OUT/o.csv", "on disk"),
        .init("simulate --dim 8 --steps 1000000000 --every 1 --seeds 50 --output OUT/o.csv", "seeds"),
        .init("theory --flow --t-end 1e9 --dt 1e-3 --output OUT/t.csv", "flow states"),
        // Input files are sized before they are read (a 20 MB spectrum peaked at 588 MB).
        .init("simulate --covariance diagonal --dim 8 --spectrum FILES/big-spectrum.txt --memory-limit 0.01 --output OUT/o.csv", "reading --spectrum"),
        .init("theory --covariance diagonal --dim 8 --spectrum FILES/big-spectrum.txt --memory-limit 0.01 --output OUT/t.csv", "reading --spectrum"),
        .init("theory --config FILES/big-config.json --memory-limit 0.01 --output OUT/t.csv", "reading --config"),
        .init("compare --dim 8 --method specgd --polar custom --ns-coefficients FILES/big-spectrum.txt --memory-limit 0.01 --output-dir OUT/c", "reading --ns-coefficients"),
        .init("theory --large-d --steps 100000000000 --every 1 --output OUT/t.csv", "on disk"),
        .init("check-escape --lr 1e-300 --no-simulation --output-dir OUT/c", "give --steps"),
        .init("check-escape --steps 1000000000000 --no-simulation --output-dir OUT/c", "on disk"),
        // α ≤ 0 in every command.
        .init("theory --alpha 0 --output OUT/t.csv", "alpha must be > 0"),
        .init("theory --alpha -0.001 --output OUT/t.csv", "alpha must be > 0"),
        .init("simulate --dim 8 --alpha 0 --output OUT/o.csv", "alpha must be > 0"),
        .init("simulate --dim 8 --alpha -1 --init gaussian --output OUT/o.csv", "alpha must be > 0"),
        .init("compare --dim 8 --alpha -0.01 --output-dir OUT/c", "alpha must be > 0"),
        .init("check-escape --alpha 0 --output-dir OUT/c", "alpha must be > 0"),
        .init("sweep --grid alpha=0,0.1 --output-dir OUT/s", "cell 0 (alpha=0)"),
        // The optimizer family in sweeps: options no cell reads, unknown words, --ratio, dense-only options.
        .init("sweep --grid method=gd,adam --polar ns5 --grid lambda=1,2 --output-dir OUT/s", "--polar is read by no cell"),
        .init("sweep --grid polar=ns5,svd --grid lambda=1,2 --output-dir OUT/s", "no cell runs specgd"),
        .init("sweep --method gd --polar ns5 --grid lambda=1,2 --output-dir OUT/s", "--polar applies to --method specgd only"),
        .init("sweep --grid method=foo --grid lambda=1 --output-dir OUT/s", "'foo' is not a method"),
        .init("sweep --grid polar=custom --method specgd --grid lambda=1 --output-dir OUT/s", "'custom' is not a polar rule"),
        .init("sweep --grid lambda=1 --metric escape_ratio --ratio gd/foo --output-dir OUT/s", "neither a method nor a polar rule"),
        .init("sweep --grid lambda=1 --ratio ns5/svd --output-dir OUT/s", "add escape_ratio to --metric"),
        .init("sweep --mode simulate --grid lambda=1 --seeds 0 --output-dir OUT/s", "seeds must be >= 1"),
        .init("sweep --mode simulate --grid batch=4 --samples 10 --output-dir OUT/s", "exclusive"),
        .init("sweep --grid momentum=0,0.9 --nesterov --grid lambda=1 --output-dir OUT/s", "cell 0 (momentum=0 lambda=1): --nesterov needs"),
        .init("sweep --derive method=1 --grid lambda=1 --output-dir OUT/s", "method takes words"),
        .init("sweep --alpha -1 --grid lambda=1,2 --output-dir OUT/s", "alpha must be > 0"),
        // Options that would be ignored.
        .init("simulate --dim 8 --samples 10 --batch 4 --output OUT/o.csv", "exclusive"),
        .init("simulate --dim 8 --samples 10 --online --output OUT/o.csv", "exclusive"),
        .init("compare --dim 8 --samples 10 --batch 4 --output-dir OUT/c", "exclusive"),
        .init("simulate --dim 8 --spectrum FILES/spectrum.txt --output OUT/o.csv", "--spectrum applies to --covariance diagonal"),
        .init("simulate --dim 8 --covariance power-law --spikes 2,3 --output OUT/o.csv", "--spikes applies to --covariance spiked"),
        .init("simulate --dim 8 --nesterov --output OUT/o.csv", "--nesterov needs --momentum"),
        .init("simulate --dim 8 --beta 2 --output OUT/o.csv", "--beta applies to --covariance power-law only"),
        .init("theory --beta 2 --output OUT/t.csv", "--beta applies to --covariance power-law only"),
        .init("theory --signal-index 3 --output OUT/t.csv", "--signal-index applies to --covariance power-law or diagonal only"),
        .init("check-escape --no-simulation --seeds 2 --output-dir OUT/c", "--seeds configures the simulations"),
        .init("check-escape --no-simulation --init orthogonal --output-dir OUT/c", "--init configures the simulations"),
        .init("check-escape --no-simulation --seed 7 --output-dir OUT/c", "--seed configures the simulations"),
        .init("theory --switching both --output OUT/t.csv", "--switching and --epsilon"),
        // Lists. An empty field or a non-finite number is bad input (status 1, one line naming the
        // option); an element the type does not take is the parser's one line (status 64).
        .init("check-escape --lambdas 1,,2 --output-dir OUT/c", "--lambdas '1,,2' has an empty field"),
        .init("check-escape --lambdas 1,2, --output-dir OUT/c", "--lambdas '1,2,' has an empty field"),
        .init("check-escape --lambdas '' --output-dir OUT/c", "--lambdas '' has an empty field"),
        .init("check-escape --lambdas 1,x --output-dir OUT/c", "The value '1,x' is invalid"),
        .init("check-escape --lambdas 1,nan --output-dir OUT/c", "--lambdas '1,nan' holds a non-finite number (nan)"),
        .init("check-escape --lambdas 1,inf --output-dir OUT/c", "--lambdas '1,inf' holds a non-finite number (inf)"),
        .init("check-escape --lambdas -2 --output-dir OUT/c", "--lambdas value must be > -1"),
        .init("simulate --dim 8 --spikes 4,,2 --output OUT/o.csv", "--spikes '4,,2' has an empty field"),
        .init("theory --spikes 4,nan --output OUT/t.csv", "--spikes '4,nan' holds a non-finite number"),
        .init("compare --dim 8 --methods gd,,specgd --output-dir OUT/c", "--methods 'gd,,specgd' has an empty field"),
        .init("sweep --metric escape_step,,final_loss --grid lambda=1 --output-dir OUT/s", "--metric 'escape_step,,final_loss' has an empty field"),
        .init("figures --format svg,,png --output-dir OUT/f", "--format 'svg,,png' has an empty field"),
        .init("compare --dim 8 --methods gd,adagrad-x --output-dir OUT/c", "The value 'gd,adagrad-x' is invalid for '--methods"),
        .init("sweep --metric escape_step,foo --grid lambda=1,2 --output-dir OUT/s", "Please provide one of the following: alignment_at_escape,"),
        .init("compare --dim 8 --methods gd,gd --output-dir OUT/c", "distinct"),
        // Config files: unknown keys are named.
        .init("theory --config FILES/typo.json --output OUT/t.csv", "unknown key 'eigenvalu' in groups[0] (expected: name, eigenvalue, multiplicity, target)"),
        .init("theory --config FILES/extra.json --output OUT/t.csv", "unknown key 'comment'"),
        .init("theory --config FILES/missing.json --output OUT/t.csv", "cannot read config file"),
        .init("theory --config FILES/broken.json --output OUT/t.csv", "not valid JSON"),
        .init("sweep --resume --grid lambda=1,2 --output-dir FILES/edited-sweep", "unknown key 'configuration.base.widht'"),
        // Negative numbers parse, then get the range error.
        .init("theory --flow --t-end -1 --output OUT/t.csv", "t-end must be > 0"),
        .init("theory --flow --dt -0.5 --output OUT/t.csv", "dt must be > 0"),
        .init("theory --flow --abs-tol -1 --output OUT/t.csv", "abs-tol must be >= 0"),
        .init("theory --flow --rel-tol -1 --output OUT/t.csv", "rel-tol must be >= 0"),
        .init("theory --flow --method specgd --epsilon -1 --output OUT/t.csv", "epsilon must be > 0"),
        .init("theory --covariance power-law --beta -1 --output OUT/t.csv", "beta must be >= 0"),
        .init("theory --every -1 --output OUT/t.csv", "every must be >= 1"),
        .init("theory --escape-threshold -1 --output OUT/t.csv", "escape-threshold must be > 0"),
        .init("theory --lr -1 --output OUT/t.csv", "lr must be > 0"),
        .init("compare --dim 8 --theory-lambda -3 --output-dir OUT/c", "theory-lambda must be > -1"),
        .init("compare --dim 8 --covariance power-law --theory-lambda 2 --output-dir OUT/c", "--theory-lambda applies to --covariance spiked only (got --covariance power-law)"),
        .init("compare --dim 8 --config FILES/spectrum.txt --output-dir OUT/c", "--config (custom groups) is theory only: compare takes --covariance spiked, power-law and diagonal"),
        .init("compare --dim 8 --tolerance -1 --output-dir OUT/c", "tolerance must be > 0"),
        .init("compare --dim 8 --seeds -1 --output-dir OUT/c", "seeds must be >= 1"),
        .init("simulate --dim 8 --momentum -0.5 --output OUT/o.csv", "--momentum must be in [0, 1) (got -0.5)"),
        .init("theory --polar ns5 --output OUT/t.csv", "--polar applies to --method specgd only (got --method gd)"),
        .init("simulate --dim 8 --method specgd --ns-steps 3 --output OUT/o.csv", "--ns-steps applies to Newton–Schulz polar rules only"),
        .init("theory --method adam --momentum 0.9 --output OUT/t.csv", "--momentum and --nesterov apply to methods gd, specgd and signgd only"),
        .init("theory --beta1 0.5 --output OUT/t.csv", "--beta1 applies to --method adam or lion only (got --method gd)"),
        .init("theory --method adam --beta2 1 --output OUT/t.csv", "--beta2 must be in [0, 1) (got 1.0)"),
        .init("theory --method specgd --polar custom --output OUT/t.csv", "--polar custom needs --ns-coefficients"),
        .init("theory --method specgd --ns-safety 1.1 --polar ns5 --output OUT/t.csv", "--ns-safety applies to --polar polar-express only"),
        .init("theory --weight-decay -1 --output OUT/t.csv", "--weight-decay must be >= 0 (got -1.0)"),
        .init("theory --method specgd --polar ns5 --flow --output OUT/t.csv", "the flows and the large-d map run plain gd and exact specgd"),
        .init("simulate --dim 8 --width -3 --init gaussian --output OUT/o.csv", "width must be >= 1"),
        .init("simulate --dim 8 --seeds -2 --output OUT/o.csv", "seeds must be >= 1"),
        .init("check-escape --tol-escape -1 --output-dir OUT/c", "tol-escape must be > 0"),
        .init("check-escape --steps -5 --output-dir OUT/c", "steps must be >= 1"),
        // The law draws (one option group, SeedSpreadOptions): the same line in compare, check-escape and sweep.
        .init("compare --dim 8 --law-draws 1 --output-dir OUT/c", "--law-draws must be >= 2 (got 1)"),
        .init("compare --dim 8 --law-draws 0 --output-dir OUT/c", "--law-draws must be >= 2 (got 0)"),
        .init("compare --dim 8 --law-draws -3 --output-dir OUT/c", "--law-draws must be >= 2 (got -3)"),
        .init("compare --dim 8 --law-draws abc --output-dir OUT/c", "The value 'abc' is invalid for '--law-draws <N>'"),
        .init("compare --dim 8 --law-draws 1000000000 --output-dir OUT/c", "--law-draws must be <= 100000 (got 1000000000)"),
        .init("check-escape --law-draws 1 --output-dir OUT/c", "--law-draws must be >= 2 (got 1)"),
        .init("check-escape --law-draws 0 --output-dir OUT/c", "--law-draws must be >= 2 (got 0)"),
        .init("check-escape --law-draws -3 --output-dir OUT/c", "--law-draws must be >= 2 (got -3)"),
        .init("check-escape --law-draws abc --output-dir OUT/c", "The value 'abc' is invalid for '--law-draws <N>'"),
        .init("check-escape --law-draws 1000000000 --output-dir OUT/c", "--law-draws must be <= 100000 (got 1000000000)"),
        .init("check-escape --no-simulation --law-draws 50 --output-dir OUT/c", "--law-draws configures per-seed theory's predicted spread"),
        .init("sweep --grid lambda=1 --metric predicted_escape_spread --law-draws 1 --output-dir OUT/s", "--law-draws must be >= 2 (got 1)"),
        .init("sweep --grid lambda=1 --metric predicted_escape_spread --law-draws 1000000000 --output-dir OUT/s", "--law-draws must be <= 100000 (got 1000000000)"),
        .init("sweep --grid lambda=1 --law-draws 50 --output-dir OUT/s", "add predicted_escape_spread to --metric"),
        .init("figures --lambda -2 --output-dir OUT/f", "lambda must be > -1"),
        .init("figures --seeds -1 --output-dir OUT/f", "seeds must be >= 1"),
        // The figures' second side: an option its method ignores, a value out of range.
        .init("figures --method gd --polar ns5 --output-dir OUT/f", "--polar applies to --method specgd only (got --method gd)"),
        .init("figures --beta1 0.8 --output-dir OUT/f", "--beta1 applies to --method adam or lion only (got --method specgd)"),
        .init("figures --ns-steps 3 --output-dir OUT/f", "--ns-steps applies to Newton–Schulz polar rules only"),
        .init("figures --method adam --momentum 0.9 --output-dir OUT/f", "--momentum and --nesterov apply to methods gd, specgd and signgd only"),
        .init("figures --polar ns5 --momentum 1 --output-dir OUT/f", "--momentum must be in [0, 1) (got 1.0)"),
        .init("figures --nesterov --output-dir OUT/f", "--nesterov needs --momentum > 0"),
        .init("figures --polar custom --output-dir OUT/f", "--polar custom needs --ns-coefficients"),
        .init("sweep --jobs -1 --grid lambda=1,2 --output-dir OUT/s", "--jobs must be >= 1 (got -1)"),
        .init("simulate --dim 8 --jobs -1 --output OUT/o.csv", "--jobs must be >= 1 (got -1)"),
        .init("compare --dim 8 --jobs 0 --output-dir OUT/c", "--jobs must be >= 1 (got 0)"),
        .init("simulate --dim 8 --blas-threads 0 --output OUT/o.csv", "--blas-threads must be >= 1 (got 0)"),
        .init("simulate --dim 8 --blas-threads -1 --output OUT/o.csv", "--blas-threads must be >= 1 (got -1)"),
        .init("simulate --dim 8 --threads 0 --output OUT/o.csv", "--threads must be >= 1 (got 0)"),
        // Parser errors: one line with a hint, not the usage block.
        .init("theory --no-such-option --output OUT/t.csv", "(see 'specgd theory --help')"),
        .init("theory --method adagrad-x --output OUT/t.csv", "(see 'specgd theory --help')"),
        .init("theory --flow --stepper rk9 --output OUT/t.csv", "rk8pd, rk1imp"),
        .init("theory --dim abc --output OUT/t.csv", "'abc' is invalid"),
        .init("theory --dim", "Missing value"),
        .init("simulate --init random --output OUT/o.csv", "(see 'specgd simulate --help')"),
        .init("sweep --output-dir OUT/s", "give at least one --grid axis"),
        .init("merge", "give the shard directories to merge"),
        .init("no-such-command", "(see 'specgd --help')"),
        // Paths: checked before computing; nothing created.
        .init("theory --output ''", "--output is empty"),
        .init("simulate --dim 8 --output ''", "--output is empty"),
        .init("theory --output OUT/missing/deeper/t.csv", "does not exist"),
        .init("simulate --dim 8 --output OUT/missing/o.csv", "does not exist"),
        .init("theory --output /sys/specgd-test.csv", "not writable"),
        .init("theory --output OUT", "is a directory, not a file"),
        .init("theory --output FILES/a-file/t.csv", "is a file, not a folder"),
        .init("compare --dim 8 --output-dir ''", "--output-dir is empty"),
        .init("compare --dim 8 --output-dir OUT/missing/c", "does not exist"),
        .init("check-escape --output-dir /sys/specgd-test", "not writable"),
        .init("figures --quick --output-dir OUT/missing/f", "does not exist"),
        .init("figures --quick --output-dir FILES/a-file", "is a file, not a directory"),
        .init("sweep --grid lambda=1,2 --output-dir OUT/missing/s", "does not exist"),
        .init("export-notebook FILES --output OUT/missing/n.ipynb", "does not exist"),
        .init("export-notebook --output OUT/n.ipynb", "give the directory to export"),
        .init("plot-phase FILES --output-dir OUT/missing/p", "does not exist"),
        .init("merge FILES --output-dir OUT/missing/m", "does not exist"),
        // Outputs never follow or replace what they point at: a FIFO, a device, a symbolic link, a
        // file the command reads (by device and inode), for the output and the files written next to it.
        .init("theory --output FILES/fifo", "fifo is a FIFO, not a regular file"),
        .init("simulate --dim 8 --output FILES/fifo", "fifo is a FIFO, not a regular file"),
        .init("theory --output /dev/null", "--output /dev/null is a character device, not a regular file"),
        .init("theory --output FILES/link.csv", "is a symbolic link: outputs never follow or replace symbolic links"),
        .init("simulate --dim 8 --output FILES/link.csv", "is a symbolic link: outputs never follow or replace symbolic links"),
        .init("theory --output FILES/side.csv", "side.json, written next to it, is a FIFO"),
        .init("simulate --dim 8 --seeds 2 --output FILES/side.csv", "side.json, written next to it, is a FIFO"),
        .init("theory --covariance diagonal --dim 8 --spectrum FILES/spectrum.txt --output FILES/spectrum.txt", "is the --spectrum file: writing would overwrite it"),
        .init("simulate --covariance diagonal --dim 8 --spectrum FILES/spectrum-link --output FILES/spectrum.txt", "is the --spectrum file"),
        .init("theory --config FILES/typo.json --output FILES/typo.csv", "typo.json, written next to it, is the --config file"),
        .init("theory --method specgd --polar custom --ns-coefficients FILES/spectrum.txt --output FILES/spectrum.txt", "is the --ns-coefficients file"),
        .init("export-notebook FILES --output FILES/spectrum.txt", "the notebook reads: writing would overwrite it"),
        .init("export-notebook FILES --output FILES/fifo", "is a FIFO"),
        .init("sweep --grid lambda=1 --output-dir FILES/fifo-sweep", "cells.csv is a FIFO, not a regular file"),
        .init("report FILES/linked-report", "report.html is a symbolic link"),
        // report: a folder of outputs; figure formats: checked before computing.
        .init("report OUT/missing", "is not a directory"),
        .init("report FILES/a-file", "is not a directory"),
        .init("report OUT", "holds no specgd output"),
        .init("compare --dim 8 --dpi 100 --output-dir OUT/c", "--dpi sets the PNG resolution"),
        .init("figures --quick --format png --dpi -1 --output-dir OUT/f", "dpi"),
        .init("figures --quick --format png --dpi 1e308 --output-dir OUT/f", "--dpi must be at most 10000 (got 1e+308)"),
        // Issue 19 §2, the rest: refusals that name the option or key.
        .init("theory --covariance power-law --beta 1e3 --output OUT/t.csv", "--beta 1000.0 is too large for --dim 1000"),
        .init("simulate --covariance power-law --dim 64 --beta 1e3 --output OUT/o.csv", "--beta 1000.0 is too large for --dim 64"),
        .init("theory --flow --t-end 1e308 --output OUT/t.csv", "--t-end 1e+308 at --lr 0.001 is more than 2^53"),
        .init("theory --flow --t-end 1e300 --dt 1e299 --output OUT/t.csv", "--t-end 1e+300 at --lr 0.001 is more than 2^53"),
        .init("theory --flow --t-end 1e10 --dt 1e-300 --output OUT/t.csv", "--t-end / --dt is more than 2^53"),
        .init("theory --covariance custom --config FILES/duplicate.json --output OUT/t.csv", "duplicate key 'eigenvalue' in groups[1]"),
        .init("theory --covariance custom --config FILES/escaped-duplicate.json --output OUT/t.csv", "duplicate key 'name' in groups[1]"),
        .init("theory --covariance custom --config FILES/huge-number.json --output OUT/t.csv", "number out of range at groups[0].eigenvalue: 1e400"),
        .init("theory --covariance custom --config FILES/tiny-number.json --output OUT/t.csv", "number out of range at groups[0].eigenvalue: 1e-400"),
        .init("theory --covariance custom --config FILES/huge-multiplicity.json --output OUT/t.csv", "number out of range at groups[1].multiplicity: 1e30"),
        .init("replay FILES/duplicate-record.json --output-dir OUT/r", "duplicate key 'lambda' in configuration"),
        .init("replay FILES/huge-record.json --output-dir OUT/r", "number out of range at configuration.steps: 1e30"),
        .init("replay FILES/big-config.json --memory-limit 0.01 --output-dir OUT/r", "reading the record"),
        .init("run FILES/duplicate.yaml --output-dir OUT/r", "duplicate key 'lambda'"),
        .init("figures --seeds 1000000 --output-dir OUT/f", "figures needs an estimated"),
        .init("figures --quick --method specgd --polar custom --ns-coefficients FILES/big-spectrum.txt --memory-limit 0.01 --output-dir OUT/f", "reading --ns-coefficients"),
    ]

    /// Prepared inputs shared by the cases (written once).
    static let files: String = {
        let path = NSTemporaryDirectory() + "specgd-bad-input-" + UUID().uuidString
        let manager = FileManager.default
        try! manager.createDirectory(atPath: path + "/edited-sweep", withIntermediateDirectories: true)
        func write(_ name: String, _ text: String) { try! text.write(toFile: path + "/" + name, atomically: true, encoding: .utf8) }
        write("spectrum.txt", "1 2 3 4 5 6 7 8\n")
        write("typo.json", #"{"groups":[{"name":"a","eigenvalu":1,"multiplicity":1,"target":1},{"name":"c","eigenvalue":1,"multiplicity":5}]}"#)
        write("extra.json", #"{"comment":"x","groups":[{"name":"a","eigenvalue":1,"multiplicity":1,"target":1},{"name":"c","eigenvalue":1,"multiplicity":5}]}"#)
        write("broken.json", "{\"groups\": [")
        write("big-spectrum.txt", String(repeating: "1.2345678901234567\n", count: 60_000))  // 1.1 MB: ≈ 34 MB to read
        write("big-config.json", "{\"groups\":[{\"name\":\"" + String(repeating: "x", count: 1_200_000) + "\"}]}")
        write("a-file", "not a folder\n")
        // JSON Foundation reads silently (a key twice: which wins?) or calls "not valid JSON".
        write("duplicate.json", #"{"groups":[{"name":"a","eigenvalue":1,"multiplicity":1,"target":1},{"name":"c","eigenvalue":1,"eigenvalue":2,"multiplicity":5}]}"#)
        write("escaped-duplicate.json", #"{"groups":[{"name":"a","eigenvalue":1,"multiplicity":1,"target":1},{"name":"c","n\u0061me":"d","eigenvalue":1,"multiplicity":5}]}"#)
        write("huge-number.json", #"{"groups":[{"name":"a","eigenvalue":1e400,"multiplicity":1,"target":1},{"name":"c","eigenvalue":1,"multiplicity":5}]}"#)
        write("tiny-number.json", #"{"groups":[{"name":"a","eigenvalue":1e-400,"multiplicity":1,"target":1},{"name":"c","eigenvalue":1,"multiplicity":5}]}"#)
        write("huge-multiplicity.json", #"{"groups":[{"name":"a","eigenvalue":1,"multiplicity":1,"target":1},{"name":"c","eigenvalue":1,"multiplicity":1e30}]}"#)
        write("duplicate-record.json", #"{"kind":"theory","createdAt":"2026-01-01T00:00:00Z","configuration":{"lambda":3,"lambda":5},"summary":{}}"#)
        // A whole envelope (readers decode it first), its configuration's steps out of range.
        write("huge-record.json", (try! ReplayTests.envelope(kind: "theory", configuration: "HUGE"))
            .replacingOccurrences(of: #""HUGE""#, with: #"{"lambda":3,"steps":1e30}"#))
        write("duplicate.yaml", "steps:\n  - command: theory\n    options:\n      lambda: 3\n      lambda: 5\n")
        // Outputs that are not regular files, and links.
        try! manager.createDirectory(atPath: path + "/fifo-sweep", withIntermediateDirectories: true)
        try! manager.createDirectory(atPath: path + "/linked-report", withIntermediateDirectories: true)
        for fifo in ["fifo", "side.json", "fifo-sweep/cells.csv"] { precondition(mkfifo(path + "/" + fifo, 0o644) == 0) }
        try! manager.createSymbolicLink(atPath: path + "/link.csv", withDestinationPath: path + "/nowhere.csv")
        try! manager.createSymbolicLink(atPath: path + "/spectrum-link", withDestinationPath: path + "/spectrum.txt")
        write("linked-report/a.csv", "x\n1\n")
        try! manager.createSymbolicLink(atPath: path + "/linked-report/report.html", withDestinationPath: path + "/elsewhere.html")
        return path
    }()

    /// A sweep.json as `specgd sweep` writes it, with a misspelt key added by hand.
    static func prepareEditedSweep() throws {
        let directory = files + "/edited-sweep"
        guard !FileManager.default.fileExists(atPath: directory + "/sweep.json") else { return }
        let fresh = files + "/fresh-sweep"
        let made = try SpecgdProcess.run(["sweep", "--grid", "lambda=1,2", "--steps", "10", "--output-dir", fresh])
        #expect(made.status == 0, "\(made.stderr)")
        let text = try String(contentsOfFile: fresh + "/sweep.json", encoding: .utf8)
        try text.replacingOccurrences(of: "\"base\" : {", with: "\"base\" : {\n      \"widht\" : 4,")
            .write(toFile: directory + "/sweep.json", atomically: true, encoding: .utf8)
    }

    /// Lines of stderr, without the lead's one-line BLAS kernel notice.
    static func errorLines(_ stderr: String) -> [String] {
        stderr.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.hasPrefix("specgd: BLAS") }
    }

    @Test(arguments: cases)
    func refusedCleanly(_ testCase: BadInputCase) throws {
        if testCase.arguments.contains("FILES/edited-sweep") { try Self.prepareEditedSweep() }
        let out = try SpecgdProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let arguments = testCase.arguments.map {
            $0.replacingOccurrences(of: "OUT", with: out).replacingOccurrences(of: "FILES", with: Self.files)
        }
        let start = Date()
        defer {
            // Nothing partial: the fresh output directory is still empty, and nothing was made in /sys.
            let left = (try? FileManager.default.contentsOfDirectory(atPath: out)) ?? ["?"]
            #expect(left.isEmpty, "left behind: \(left)")
            #expect(!FileManager.default.fileExists(atPath: "/sys/specgd-test"))
            #expect(Date().timeIntervalSince(start) < 30, "refusal took \(Date().timeIntervalSince(start)) s")
        }
        do {
            _ = try SpecGD.parseAsRoot(arguments)
        } catch {
            let line = SpecGD.errorLine(for: error, arguments: arguments)
            #expect(SpecGD.exitCode(for: error) != .success)
            #expect(line?.contains(testCase.message) == true, "line: \(line ?? "none")")
            return
        }
        // Parsed and validated: refused by run(), seen end to end.
        let result = try SpecgdProcess.run(arguments)
        let lines = Self.errorLines(result.stderr)
        #expect(result.status != 0)
        #expect(lines.count == 1, "stderr: \(result.stderr)")
        #expect(lines.first?.contains(testCase.message) == true, "stderr: \(result.stderr)")
        #expect(!result.stderr.contains("Fatal error") && !result.stderr.contains("Backtrac"))
    }

    /// What the process prints and returns, for a parser error (64), a validation error (64
    /// with the hint, ArgumentParser's ValidationError), a refused input (1: a list with an empty
    /// field or a non-finite number too, as docs/contracts.md says) and a refusal that comes from run() (1).
    @Test(arguments: [
        ("theory --method adagrad-x --output OUT/t.csv", Int32(64), "(see 'specgd theory --help')"),
        ("check-escape --lambdas 1,x --output-dir OUT/c", Int32(64), "(see 'specgd check-escape --help')"),
        ("check-escape --lambdas 1,,2 --output-dir OUT/c", Int32(1), "--lambdas '1,,2' has an empty field"),
        ("check-escape --lambdas 1,nan --output-dir OUT/c", Int32(1), "--lambdas '1,nan' holds a non-finite number"),
        ("simulate --dim 8 --blas-threads 0 --output OUT/o.csv", Int32(1), "--blas-threads must be >= 1"),
        ("simulate --dim 8 --jobs -1 --output OUT/o.csv", Int32(1), "--jobs must be >= 1"),
        ("theory --alpha 0 --output OUT/t.csv", Int32(1), "alpha must be > 0"),
        ("sweep --grid alpha=0,0.1 --output-dir OUT/s", Int32(1), "cell 0 (alpha=0)"),
    ])
    func endToEnd(_ command: String, _ status: Int32, _ message: String) throws {
        let out = try SpecgdProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let arguments = command.split(separator: " ").map { $0.replacingOccurrences(of: "OUT", with: out) }
        let result = try SpecgdProcess.run(arguments)
        let lines = Self.errorLines(result.stderr)
        #expect(result.status == status)
        #expect(lines.count == 1 && lines[0].hasPrefix("Error: ") && lines[0].contains(message), "stderr: \(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).isEmpty)
    }

    /// A replay that fails says `Error: …` first (its wall-time notice came first), and only.
    @Test func failedReplayStartsWithError() throws {
        let out = try SpecgdProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let made = try SpecgdProcess.run(["simulate", "--dim", "8", "--steps", "5", "--output", out + "/s.csv"])
        #expect(made.status == 0, "\(made.stderr)")
        let text = try String(contentsOfFile: out + "/s.json", encoding: .utf8)
        #expect(text.contains("\"recordWallTime\" : true"))
        try text.replacingOccurrences(of: "\"alpha\" : 0.001", with: "\"alpha\" : -1").write(toFile: out + "/bad.json", atomically: true, encoding: .utf8)
        let result = try SpecgdProcess.run(["replay", out + "/bad.json", "--output-dir", out + "/r"])
        let lines = Self.errorLines(result.stderr)
        #expect(result.status == 1)
        #expect(lines.count == 1 && lines[0].hasPrefix("Error: --alpha must be > 0"), "stderr: \(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out + "/r"))
    }

    /// A failed PNG conversion leaves no partial output set: every file the command wrote is
    /// removed (and the folder it created), the line says so; a folder that existed stays with
    /// what it held. The failing converter is a script named rsvg-convert first on PATH.
    @Test func failedConversionLeavesNoPartialSet() throws {
        let out = try SpecgdProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        try FileManager.default.createDirectory(atPath: out + "/bin", withIntermediateDirectories: true)
        try "#!/bin/sh\necho 'rsvg-convert: simulated failure' >&2\nexit 1\n".write(toFile: out + "/bin/rsvg-convert", atomically: true, encoding: .utf8)
        chmod(out + "/bin/rsvg-convert", 0o755)
        let path = out + "/bin:" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin")
        try FileManager.default.createDirectory(atPath: out + "/kept", withIntermediateDirectories: true)
        try "mine\n".write(toFile: out + "/kept/notes.txt", atomically: true, encoding: .utf8)
        for folder in ["fresh", "kept"] {
            let result = try SpecgdProcess.run(["compare", "--dim", "8", "--steps", "200", "--format", "png", "--output-dir", out + "/" + folder],
                                               environment: ["PATH": path])
            let lines = Self.errorLines(result.stderr)
            #expect(result.status == 1)
            #expect(lines.count == 1 && lines[0].contains("simulated failure") && lines[0].contains("were removed"), "stderr: \(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: out + "/fresh"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: out + "/kept") == ["notes.txt"])
    }

    @Test func everyCommandIsCovered() {
        let commands = Set(Self.cases.compactMap(\.arguments.first))
        for command in ["theory", "simulate", "compare", "check-escape", "figures", "export-notebook", "sweep", "merge", "plot-phase", "report"] {
            #expect(commands.contains(command), "no bad-input case for \(command)")
        }
        #expect(Self.cases.count >= 60)
    }

    /// Deeply nested --derive expressions (they overflowed the stack, status 139): refused in one
    /// line naming --derive, from the command line and from a hand-edited sweep.json (replay, resume).
    @Test(arguments: ["2·10⁴ parentheses", "4·10⁴ minus signs"])
    func deepDerivedExpressionsAreRefused(_ form: String) throws {
        let expression = form.hasSuffix("parentheses")
            ? String(repeating: "(", count: 20_000) + "1" + String(repeating: ")", count: 20_000)
            : String(repeating: "-", count: 40_000) + "1"
        let out = try SpecgdProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        func expectRefused(_ arguments: [String]) throws {
            let result = try SpecgdProcess.run(arguments)
            let lines = Self.errorLines(result.stderr)
            #expect(result.status == 1, "\(arguments[0]): status \(result.status)")
            #expect(lines.count == 1 && lines[0].hasPrefix("Error: ") && lines[0].contains("--derive 'alpha=")
                    && lines[0].contains("nests more than 200 levels") && lines[0].count < 400, "\(result.stderr.prefix(2000))")
        }
        try expectRefused(["sweep", "--derive", "alpha=" + expression, "--grid", "lambda=1", "--output-dir", out + "/s"])
        #expect(!FileManager.default.fileExists(atPath: out + "/s"))
        let made = try SpecgdProcess.run(["sweep", "--derive", "alpha=1/dim", "--grid", "lambda=1", "--steps", "2", "--output-dir", out + "/made"])
        #expect(made.status == 0, "\(made.stderr)")
        let record = try String(contentsOfFile: out + "/made/sweep.json", encoding: .utf8)
        let edited = record.replacingOccurrences(of: #""expression" : "1\/dim""#, with: #""expression" : "\#(expression)""#)
            .replacingOccurrences(of: #""expression" : "1/dim""#, with: #""expression" : "\#(expression)""#)
        #expect(edited != record)
        try FileManager.default.createDirectory(atPath: out + "/edited", withIntermediateDirectories: false)
        try edited.write(toFile: out + "/edited/sweep.json", atomically: true, encoding: .utf8)
        try expectRefused(["replay", out + "/edited/sweep.json", "--output-dir", out + "/replayed"])
        try expectRefused(["sweep", "--resume", "--grid", "lambda=1", "--output-dir", out + "/edited"])
        #expect(!FileManager.default.fileExists(atPath: out + "/replayed"))
    }

    /// Outputs never replace what they point at, also when the refusal comes only at writing
    /// (a folder's files): /dev/null stays a device, a linked record's target keeps its bytes,
    /// and nothing of the set is written (all or nothing).
    @Test func outputsNeverReplaceWhatTheyPointAt() throws {
        let out = try SpecgdProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        func isCharacterDevice(_ path: String) -> Bool {
            var info = stat()
            return lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFCHR
        }
        #expect(isCharacterDevice("/dev/null"))
        let device = try SpecgdProcess.run(["theory", "--steps", "3", "--output", "/dev/null"])
        #expect(device.status == 1 && device.stderr.contains("--output /dev/null is a character device"), "\(device.stderr)")
        #expect(isCharacterDevice("/dev/null") && !FileManager.default.fileExists(atPath: "/dev/null.json"))

        let folder = out + "/compare", kept = out + "/kept.json"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        try "keep\n".write(toFile: kept, atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: folder + "/report.json", withDestinationPath: kept)
        let linked = try SpecgdProcess.run(["compare", "--dim", "8", "--steps", "10", "--output-dir", folder])
        let lines = Self.errorLines(linked.stderr)
        #expect(linked.status == 1 && lines.count == 1 && lines[0].contains("report.json: it is a symbolic link"), "\(linked.stderr)")
        #expect(try String(contentsOfFile: kept, encoding: .utf8) == "keep\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["report.json"])
    }

    /// --batch means online training in simulate as in compare (it used to be ignored without --online).
    @Test func batchImpliesOnline() throws {
        let out = try SpecgdProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let result = try SpecgdProcess.run(["simulate", "--dim", "6", "--steps", "2", "--every", "1", "--batch", "5",
                                            "--no-wall-time", "--output", out + "/run.csv"])
        #expect(result.status == 0, "\(result.stderr)")
        let record = try String(contentsOfFile: out + "/run.json", encoding: .utf8)
        #expect(record.contains("\"kind\" : \"online\"") && record.contains("\"batch\" : 5"))
    }

    /// --output-dir creates its last level only.
    @Test func outputDirectoryCreatesOneLevel() throws {
        let out = try SpecgdProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let result = try SpecgdProcess.run(["check-escape", "--lambdas", "4", "--dim", "8", "--no-simulation", "--output-dir", out + "/new"])
        #expect(FileManager.default.fileExists(atPath: out + "/new/escape-check.csv"), "\(result.stderr)")
    }
}
