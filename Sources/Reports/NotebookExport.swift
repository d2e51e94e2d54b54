import Experiments
import Foundation
import Plot
import PlotRecipes
import SpecgdSupport

/// `specgd export-notebook`: a short, editable notebook that reads an output folder with the
/// `specgd` Python package (`r = specgd.load(…)`, python/) and redraws each figure with
/// matplotlib from its tidy frames, one cell per figure: the trajectory figures from
/// `trajectories()` (long form), the other recipe figures from the CSV frames they draw, phase
/// diagrams from the phase CSV pivoted over the record's axes. It covers the folders `report`
/// covers (a folder and its sub-folders, read through `Folder.walk` and the records' own types),
/// in the report's order (`ReportOrder`). What the folder holds is untrusted: names, titles and
/// commands reach the markdown cells escaped (`MarkdownText`) and the code cells only as Python
/// string literals (`py`); an SVG without a recipe is shown as an image.
public enum NotebookExport {
    /// Builds the notebook for `directory`; `notebookPath` fixes the relative data path. A
    /// relative path is taken from `workingDirectory` (the caller's: library code reads no
    /// process state).
    static func notebook(from directory: String, notebookPath: String, workingDirectory: String) throws -> Notebook {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw InputError("\(directory) is not a directory")
        }
        let folders = try Folder.walk(directory).filter { !$0.files.isEmpty }
            .sorted { ReportOrder.folderRank($0) < ReportOrder.folderRank($1) }
        guard !folders.isEmpty else { throw InputError("\(directory) holds no specgd output (no file to export)") }

        let notebookDirectory = (absolute(notebookPath, in: workingDirectory) as NSString).deletingLastPathComponent
        let dataPath = relativePath(from: notebookDirectory, to: absolute(directory, in: workingDirectory))
        var nb = Notebook()
        var intro = "# specgd outputs from \(MarkdownText.code(dataPath))\n\n"
        intro += "The folder is read with the `specgd` Python package (`r = specgd.load(…)`, docs/python.md); "
        intro += "each figure is redrawn with matplotlib from the same data, one cell per figure, to restyle or extend. "
        intro += "Set the environment variable `SPECGD_DATA` to read another folder.\n"
        var commands = [String]()
        for folder in folders { for record in folder.records where !commands.contains(record.header.command) { commands.append(record.header.command) } }
        if !commands.isEmpty { intro += "\nThe data were made by:\n\n" + commands.map(MarkdownText.block).joined(separator: "\n") }
        nb.markdown(intro)
        nb.code(setupCode(dataPath: dataPath))
        for folder in folders {
            if folders.count > 1 {
                nb.markdown("## \(MarkdownText.code(folder.title))\n\n\(MarkdownText.text(folder.kinds.joined(separator: ", ")))")
            }
            try cells(for: folder, into: &nb)
        }
        return nb
    }

    /// Writes the notebook for `directory` to `notebookPath` (relative paths from `workingDirectory`).
    public static func export(from directory: String, to notebookPath: String, workingDirectory: String) throws {
        let nb = try notebook(from: directory, notebookPath: notebookPath, workingDirectory: workingDirectory)
        try AtomicFile.write(try nb.json, to: notebookPath)
    }

    /// The Python expression of a folder's `specgd.load` object: `r`, `r["compare"]`, ….
    static func output(_ folder: Folder) -> String {
        "r" + folder.relative.split(separator: "/").map { "[\(py(String($0)))]" }.joined()
    }

    /// One markdown and one code cell per figure of `folder`, in the report's order; a check
    /// table after check-escape's figure, and per-seed theory's spread table (`spread()`) in a
    /// compare or check-escape folder that has one.
    static func cells(for folder: Folder, into nb: inout Notebook) throws {
        let object = output(folder)
        let directory = folder.relative.isEmpty ? folder.root : (folder.root as NSString).appendingPathComponent(folder.relative)
        let svgs = folder.files.filter { $0.hasSuffix(".svg") }
            .sorted { ReportOrder.figureRank(String($0.dropLast(4))) < ReportOrder.figureRank(String($1.dropLast(4))) }
        let heading = folder.relative.isEmpty ? "##" : "###"
        for svg in svgs {
            let stem = String(svg.dropLast(4))
            if folder.files.contains(stem + ".recipe.json") {
                let recipe = try FigureRecipe.read((directory as NSString).appendingPathComponent(stem + ".recipe.json"))
                let trajectoryFigure = folder.records.contains {
                    switch $0.content { case .compare: true; case .figures(let data): data.figure == "trajectories"; default: false }
                } && (stem == CompareExperiment.figureName || stem == "trajectories")
                nb.markdown("\(heading) \(MarkdownText.math(recipe.title))\n\n\(MarkdownText.math(recipe.description))\n\nDrawn from "
                            + recipe.csvFiles.map(MarkdownText.code).joined(separator: ", ") + "."
                            + (trajectoryFigure ? " Here from `trajectories()`: theory from αI as lines, per-seed theory (source `seed theory`) "
                               + "as its dashed mean over the q10–q90 band, simulations as markers (their q10–q90 are the frame's "
                               + "`<stat>_q10`, `<stat>_q90`, not drawn)." : ""))
                nb.code(trajectoryFigure ? trajectoryCode("\(object).trajectories()", title: recipe.title, theory: "theory from αI")
                        : recipeCode(recipe, object: object))
            } else if let record = folder.records.first(where: { $0.name == stem + ".json" }), case .plotPhase(let phase) = record.content {
                nb.markdown("\(heading) \(MarkdownText.text(phase.figure.title))\n\nA phase diagram of \(MarkdownText.code(phase.metric)) "
                            + "(`specgd plot-phase`), redrawn from \(MarkdownText.code(stem + ".csv")) pivoted over its axes; "
                            + "cells without a value (no escape, diverged: the `status` column) are left grey.")
                nb.code(phaseCode(phase, table: "\(object).tables[\(py(stem))]"))
            } else {
                nb.markdown("\(heading) \(MarkdownText.code(svg))\n\nThis figure has no recipe; it is shown as drawn.")
                // As an image, not inline SVG markup: an SVG shown as an <img> runs no script.
                nb.code("show_svg(\(py(folder.path(svg))))\n")
            }
        }
        let runs = folder.records.compactMap { record -> String? in
            if case .trajectory(let csv, _) = record.content { String(csv.dropLast(4)) } else { nil }
        }
        if !runs.isEmpty {
            nb.markdown("\(heading) Trajectories of the runs in \(MarkdownText.code(folder.title))\n\nOne colour per run, from "
                        + runs.map { MarkdownText.code($0 + ".csv") }.joined(separator: ", ") + " (`trajectories()` of each).")
            let frames = runs.map { "\(object)[\(py($0))].trajectories()" }
            nb.code(trajectoryCode(frames.count == 1 ? frames[0] : "pd.concat([\n    " + frames.joined(separator: ",\n    ") + ",\n])",
                                   title: "Trajectories of the runs in \(folder.title)", theory: "theory"))
        }
        for record in folder.records {
            switch record.content {
            case .checkEscape(let summary):
                nb.markdown("\(heading) Escape-stage checks\n\nOne row per prediction, in words (`checks()`).")
                nb.code("checks = \(object).checks()\nchecks\n")
                if summary.seedTheory?.isEmpty == false { spreadCells(object: object, heading: heading, into: &nb) }
            case .compare(let summary) where summary.methods.contains(where: { $0.spread != nil }):
                spreadCells(object: object, heading: heading, into: &nb)
            case .sweep:
                nb.markdown("\(heading) The sweep's cells\n\nOne row per cell (`cells()`); `grid(metric)` pivots a metric over two numeric axes.")
                nb.code("cells = \(object).cells()\ncells\n")
            default: break
            }
        }
    }

    /// Per-seed theory's spread over seeds (compare, check-escape with dense runs): the table of
    /// `spread()`, predicted against measured quantiles with the spread check in words.
    static func spreadCells(object: String, heading: String, into nb: inout Notebook) {
        nb.markdown("\(heading) The seeds' spread\n\nThe escape step, b/a at escape and the peak amplification over seeds: "
                    + "predicted from the law of W₀ (q10/q50/q90 over the draws) against the measured seeds, and the spread check "
                    + "on the escape step in words (`spread()`; `seeds()` has one row per seed, its own theory next to it).")
        nb.code("spread = \(object).spread()\nspread\n")
    }

    static func setupCode(dataPath: String) -> String {
        """
        import os
        import pathlib
        import sys

        try:
            import specgd
        except ImportError:
            # Not installed: use the package of the specgd repository this notebook sits in, if any.
            here = pathlib.Path.cwd().resolve()
            found = [p / "python" for p in (here, *here.parents) if (p / "python" / "specgd" / "__init__.py").is_file()]
            if not found:
                raise ImportError("the specgd Python package is not installed: run  pip install ./python  in the specgd repository") from None
            sys.path.insert(0, str(found[0]))
            import specgd
        import matplotlib.pyplot as plt
        import pandas as pd

        DATA = pathlib.Path(os.environ.get("SPECGD_DATA", \(py(dataPath))))
        r = specgd.load(DATA)


        def show_svg(name):
            \"\"\"An SVG of the folder as an image (an <img> runs none of the SVG's scripts).\"\"\"
            import base64
            from IPython.display import HTML, display
            data = base64.b64encode((DATA / name).read_bytes()).decode("ascii")
            display(HTML('<img src="data:image/svg+xml;base64,' + data + '">'))

        """
    }

    /// A trajectory figure from the long frame `frame` (method, source, seed, step, statistics
    /// and their q10/q90): one panel per statistic, one colour per method; the theory map as
    /// lines, the per-seed theory (the map from each seed's own W₀) as a dashed mean over its
    /// q10–q90 band, simulations (mean over seeds) as markers; one legend entry per series,
    /// below the panels. `theory` names the theory lines (compare's and the figure set's start
    /// from αI; a `theory` run may start elsewhere).
    static func trajectoryCode(_ frame: String, title: String, theory: String) -> String {
        """
        traj = \(frame)
        # A simulation's seeds are averaged (compare and figures record their mean already).
        traj = traj.groupby(["method", "source", "step"], sort=False).mean(numeric_only=True).reset_index()
        stats = [s for s in ["a", "b", "b_over_a", "c", "loss", "alignment"] if s in traj]
        methods = list(dict.fromkeys(traj["method"]))
        names = {"theory": \(py(theory)), "seed theory": "theory from each seed's W₀ (mean, q10–q90)", "simulation": "simulation (mean over seeds)"}
        key = {}  # one legend entry per series
        fig, axs = plt.subplots(-(-len(stats) // 3), 3, figsize=(13, 3.6 * -(-len(stats) // 3)), layout="constrained", squeeze=False)
        for ax, stat in zip(axs.flat, stats):
            for (method, source), rows in traj.groupby(["method", "source"], sort=False):
                color, label = f"C{methods.index(method)}", f"{method} {names.get(source, source)}"
                if source == "seed theory":
                    band = ax.fill_between(rows["step"], rows[stat + "_q10"].abs(), rows[stat + "_q90"].abs(), color=color, alpha=0.2, linewidth=0)
                    key[label] = (band, ax.plot(rows["step"], rows[stat].abs(), color=color, linestyle="--", linewidth=1.2)[0])
                else:
                    style = dict(linestyle="-") if source == "theory" else dict(linestyle="none", marker="o", markersize=3, markevery=max(1, len(rows) // 30))
                    key[label] = ax.plot(rows["step"], rows[stat].abs(), color=color, **style)[0]
            ax.set(title=stat, xlabel="step k", yscale="linear" if stat == "alignment" else "log")
            if stat != "alignment":  # at most seven decades: a value passing through 0 would squash the rest
                ax.set_ylim(bottom=max(ax.get_ylim()[0], traj[stat].abs().max() * 1e-7))
        for ax in axs.flat[len(stats):]:
            ax.set_visible(False)
        fig.legend(key.values(), key.keys(), loc="outside lower center", ncols=min(4, len(methods)))  # a column per method
        fig.suptitle(\(py(title)))
        plt.show()

        """
    }

    /// A recipe figure from the frames of its CSVs (each looked up once), panel by panel, with
    /// the recipe's scales, colours and references; axis limits left to matplotlib and one
    /// legend above the panels.
    static func recipeCode(_ recipe: FigureRecipe, object: String) -> String {
        let count = recipe.panels.count
        let columns = max(1, min(recipe.columns, count))
        let rows = (count + columns - 1) / columns
        var names = [String: String]()
        var code = ""
        for (i, csv) in recipe.csvFiles.enumerated() {
            let name = recipe.csvFiles.count == 1 ? "t" : "t\(i + 1)"
            names[csv] = name
            code += "\(name) = \(object).tables[\(py(String(csv.dropLast(4))))]\n"
        }
        code += "fig, axs = plt.subplots(\(rows), \(columns), figsize=(\(4.4 * Double(columns)), \(3.4 * Double(rows))), layout=\"constrained\", squeeze=False)\n"
        if rows * columns > count { code += "for ax in axs.flat[\(count):]:\n    ax.set_visible(False)\n" }
        for (i, panel) in recipe.panels.enumerated() {
            code += "\nax = axs.flat[\(i)]\n"
            for s in panel.series {
                let t = names[s.csv] ?? "t"
                let label = s.label.map { ", label=\(py($0))" } ?? ""
                switch s.kind {
                case .band:
                    code += "ax.fill_between(\(t)[\(py(s.x))], \(t)[\(py(s.y))], \(t)[\(py(s.upper ?? s.y))], color=\(py(s.color)), alpha=0.22, linewidth=0\(label))\n"
                case .line:
                    code += "ax.plot(\(t)[\(py(s.x))], \(t)[\(py(s.y))], color=\(py(s.color)), linestyle=\(py(mplStyle(s.style))), linewidth=\(pyNumber(s.width ?? 1.8))\(label))\n"
                case .markers:
                    let every = s.maxMarkers.map { ", markevery=max(1, len(\(t)) // \($0))" } ?? ""
                    code += "ax.plot(\(t)[\(py(s.x))], \(t)[\(py(s.y))], linestyle=\"none\", marker=\(py(mplMarker(s.shape))), markersize=5, markerfacecolor=\(py(s.filled ? s.color : "white")), color=\(py(s.color))\(every)\(label))\n"
                }
            }
            for r in panel.references {
                code += "ax.\(r.vertical ? "axvline" : "axhline")(\(pyNumber(r.value)), color=\(py(r.color)), linestyle=\(py(mplStyle(r.style))), linewidth=1\(r.label.map { ", label=\(py($0))" } ?? ""))\n"
            }
            var settings = ["title=\(py(panel.title))", "xlabel=\(py(panel.xLabel))", "ylabel=\(py(panel.yLabel))"]
            if panel.xScale == .log { settings.append("xscale=\"log\"") }
            if panel.yScale == .log { settings.append("yscale=\"log\"") }
            code += "ax.set(\(settings.joined(separator: ", ")))\n"
        }
        code += """

            # One legend for the figure, below the panels (a label drawn in several panels once).
            labelled = {label: handle for ax in axs.flat for handle, label in zip(*ax.get_legend_handles_labels())}
            fig.legend(labelled.values(), labelled.keys(), loc="outside lower center", ncols=min(4, max(1, len(labelled))))
            fig.suptitle(\(py(recipe.title)))
            plt.show()

            """
        return code
    }

    /// A plot-phase figure from its CSV: per panel the record's column pivoted over its two axes,
    /// with the record's scales, colour map and colour range.
    static func phaseCode(_ phase: PhaseRecord, table: String) -> String {
        let panels = phase.figure.panels
        let colormaps = ["viridis": "viridis", "greys": "Greys", "diverging": "RdBu_r"]
        var code = "t = \(table)\n"
        code += "fig, axs = plt.subplots(1, \(panels.count), figsize=(\(5.4 * Double(panels.count)), 4.4), layout=\"constrained\", squeeze=False)\n"
        for (i, panel) in panels.enumerated() {
            code += "\nax = axs.flat[\(i)]\n"
            code += "z = t.pivot(index=\(py(phase.y)), columns=\(py(phase.x)), values=\(py(panel.column)))\n"
            var options = ["shading=\"nearest\"", "cmap=\(py(colormaps[panel.colormap] ?? "viridis"))"]
            if panel.logColor { options.append("norm=\"log\"") }
            if let range = panel.valueRange, range.count == 2 { options += ["vmin=\(pyNumber(range[0]))", "vmax=\(pyNumber(range[1]))"] }
            code += "mesh = ax.pcolormesh(z.columns, z.index, z.to_numpy(), \(options.joined(separator: ", ")))\n"
            code += "fig.colorbar(mesh, ax=ax, label=\(py(panel.colorLabel)))\n"
            if let boundary = panel.boundary, !boundary.isEmpty, boundary.allSatisfy({ $0.count == 2 }) {
                code += "boundary = [\(boundary.map { "(\(pyNumber($0[0])), \(pyNumber($0[1])))" }.joined(separator: ", "))]\n"
                code += "ax.plot(*zip(*boundary), linestyle=\"--\", color=\"#D55E00\", linewidth=2, label=\(py(panel.boundaryLabel ?? "boundary")))\n"
            }
            var settings = ["title=\(py(panel.title))", "xlabel=\(py(panel.xLabel))", "ylabel=\(py(panel.yLabel))"]
            if panel.xLog { settings.append("xscale=\"log\"") }
            if panel.yLog { settings.append("yscale=\"log\"") }
            code += "ax.set(\(settings.joined(separator: ", ")))\n"
            code += "ax.set_facecolor(\"#dddddd\")  # cells without a value\n"
        }
        code += """

            handles = {label: handle for ax in axs.flat for handle, label in zip(*ax.get_legend_handles_labels())}
            if handles:
                fig.legend(handles.values(), handles.keys(), loc="outside lower center")
            fig.suptitle(\(py(phase.figure.title)))
            plt.show()

            """
        return code
    }

    static func mplStyle(_ style: LineStyle) -> String {
        switch style {
        case .solid: return "-"
        case .dashed: return "--"
        case .dotted: return ":"
        case .dashDot: return "-."
        }
    }

    static func mplMarker(_ shape: MarkerShape) -> String {
        switch shape {
        case .circle: return "o"
        case .square: return "s"
        case .triangle: return "^"
        case .diamond: return "D"
        case .cross: return "x"
        }
    }

    /// A Python string literal, whatever `text` holds (JSON string syntax is valid Python:
    /// quotes, backslashes and control characters, line breaks included, are escaped).
    static func py(_ text: String) -> String {
        let data = (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8)
        return String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\\/", with: "/")
    }

    static func pyNumber(_ v: Double) -> String {
        v.isFinite ? "\(v)" : (v.isNaN ? "float(\"nan\")" : (v > 0 ? "float(\"inf\")" : "-float(\"inf\")"))
    }

    static func absolute(_ path: String, in workingDirectory: String) -> String {
        let url = path.hasPrefix("/") ? URL(fileURLWithPath: path)
            : URL(fileURLWithPath: workingDirectory).appendingPathComponent(path)
        return url.standardizedFileURL.path
    }

    /// The path of `target` as seen from directory `base` (both absolute).
    static func relativePath(from base: String, to target: String) -> String {
        let b = base.split(separator: "/"), t = target.split(separator: "/")
        var common = 0
        while common < min(b.count, t.count), b[common] == t[common] { common += 1 }
        let ups = Array(repeating: "..", count: b.count - common)
        let rest = t[common...].map(String.init)
        let parts = ups + rest
        return parts.isEmpty ? "." : parts.joined(separator: "/")
    }
}
