import Foundation
import Plot
import PlotRecipes
import SpecgdSupport

/// `specgd export-notebook`: a notebook that loads every CSV of an output directory with
/// plain `csv` + numpy and redraws each figure with matplotlib (from its recipe), so the
/// figures can be restyled without Swift. What the folder holds is untrusted: names, titles
/// and commands reach the markdown cells escaped (`MarkdownText`) and the code cells only as
/// Python string literals (`py`); an SVG without a recipe is shown as an image.
public enum NotebookExport {
    /// Builds the notebook for `directory`; `notebookPath` fixes the relative data path. Figures
    /// named in `order` come first, in that order (the figure set's: trajectories first), then
    /// the others by name; then the phase diagrams, redrawn as heatmaps; then SVGs without a recipe.
    public static func notebook(from directory: String, notebookPath: String, order: [String] = []) throws -> Notebook {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw InputError("\(directory) is not a directory")
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { !$0.hasPrefix(".") }.sorted()
        let csvs = files.filter { $0.hasSuffix(".csv") }
        guard !csvs.isEmpty else { throw InputError("\(directory) holds no CSV file") }
        let recipes = try files.filter { $0.hasSuffix(".recipe.json") }
            .map { try FigureRecipe.read((directory as NSString).appendingPathComponent($0)) }
            .sorted { rank($0.name, order) < rank($1.name, order) }
        let recipeNames = Set(recipes.map(\.name))
        let phases = files.filter { $0.hasSuffix(".svg") }.compactMap { PhaseFigure.read(directory: directory, svg: $0, files: files) }
        let phaseNames = Set(phases.map(\.stem))
        let plainSVGs = files.filter {
            $0.hasSuffix(".svg") && !recipeNames.contains(String($0.dropLast(4))) && !phaseNames.contains(String($0.dropLast(4)))
        }
        let commands = Commands(directory: directory, files: files)

        let notebookDirectory = (absolute(notebookPath) as NSString).deletingLastPathComponent
        let dataPath = relativePath(from: notebookDirectory, to: absolute(directory))
        var nb = Notebook()
        var intro = "# specgd figures from \(MarkdownText.code(dataPath))\n\n"
        intro += "Every CSV in the directory is loaded with the standard `csv` module and numpy; each figure is redrawn with matplotlib from the same columns the SVG was drawn from. "
        intro += "Set the environment variable `SPECGD_DATA` to read the data from another directory.\n"
        let distinct = commands.distinct
        if !distinct.isEmpty {
            intro += "\nThe data were made by:\n\n" + distinct.map(MarkdownText.block).joined(separator: "\n")
        }
        nb.markdown(intro)
        nb.code(setupCode(dataPath: dataPath, csvs: csvs) + (phases.isEmpty ? "" : phaseCode))
        for recipe in recipes {
            var text = "## \(MarkdownText.text(recipe.title))\n\n\(MarkdownText.text(recipe.description))\n\nDrawn from "
                + recipe.csvFiles.map(MarkdownText.code).joined(separator: ", ")
            let made = Array(Set(recipe.csvFiles.compactMap { commands.command(for: $0) })).sorted()
            if !made.isEmpty { text += ", made by:\n\n" + made.map(MarkdownText.block).joined(separator: "\n") }
            nb.markdown(text)
            nb.code(matplotlib(recipe))
        }
        for phase in phases {
            var text = "## \(MarkdownText.text(phase.title))\n\nA phase diagram drawn by `specgd plot-phase`, redrawn from "
                + "\(MarkdownText.code(phase.stem + ".csv")) as its record \(MarkdownText.code(phase.stem + ".json")) describes it: "
            text += "the same axes and colour scale; cells without a value are hatched, with the reason in the legend."
            if let command = commands.command(for: phase.stem + ".csv") { text += " Made by:\n\n" + MarkdownText.block(command) }
            nb.markdown(text)
            nb.code("phase_figure(\(py(phase.stem)))\n")
        }
        for svg in plainSVGs {
            let stem = String(svg.dropLast(4))
            var text = "## \(MarkdownText.code(svg))\n\nThis figure has no recipe; it is shown as drawn"
            if csvs.contains(stem + ".csv") { text += " and its data \(MarkdownText.code(stem + ".csv")) are plotted column by column" }
            if let command = commands.command(for: stem + ".csv") { text += ". Made by:\n\n" + MarkdownText.block(command) }
            nb.markdown(text)
            // As an image, not inline SVG markup: an SVG shown as an <img> runs no script.
            var code = "show_svg(\(py(svg)))\n"
            if csvs.contains(stem + ".csv") { code += "plot_columns(\(py(stem + ".csv")))\n" }
            nb.code(code)
        }
        return nb
    }

    public static func export(from directory: String, to notebookPath: String, order: [String] = []) throws {
        let nb = try notebook(from: directory, notebookPath: notebookPath, order: order)
        try AtomicFile.write(try nb.json, to: notebookPath)
    }

    static func setupCode(dataPath: String, csvs: [String]) -> String {
        """
        import csv
        import os
        import pathlib

        import numpy as np
        import matplotlib.pyplot as plt

        DATA = pathlib.Path(os.environ.get("SPECGD_DATA", \(py(dataPath))))


        def column(values):
            \"\"\"Numbers as a float array (nan/inf parse as floats); any other text (a sweep's hex
            cell_id, a status word) keeps the whole column as strings.\"\"\"
            try:
                return np.array([float(v) for v in values], dtype=float)
            except ValueError:
                return np.array(values, dtype=str)


        def load(name):
            \"\"\"A CSV written by specgd as {column: numpy array}.\"\"\"
            with open(DATA / name, newline="") as handle:
                rows = list(csv.reader(handle))
            header, body = rows[0], rows[1:]
            return {name: column([row[i] for row in body]) for i, name in enumerate(header)}


        def legend(ax):
            \"\"\"One legend row per label; artists sharing a label are drawn together.\"\"\"
            handles, labels = ax.get_legend_handles_labels()
            merged = {}
            for handle, label in zip(handles, labels):
                merged.setdefault(label, []).append(handle)
            if merged:
                ax.legend([tuple(h) for h in merged.values()], list(merged), fontsize=8)


        def plot_columns(name):
            \"\"\"Every column of a table against its first column.\"\"\"
            table = load(name)
            first, *rest = list(table)
            fig, ax = plt.subplots(figsize=(6, 4))
            for name in rest:
                if table[name].dtype.kind == "f" and table[first].dtype.kind == "f":
                    ax.plot(table[first], table[name], label=name)
            ax.set_xlabel(first)
            ax.legend(fontsize=7)
            plt.show()


        def show_svg(name):
            \"\"\"An SVG file of the folder as an image (an <img> runs none of the SVG's scripts).\"\"\"
            import base64
            from IPython.display import HTML, display
            data = base64.b64encode((DATA / name).read_bytes()).decode("ascii")
            display(HTML('<img src="data:image/svg+xml;base64,' + data + '">'))


        tables = {name: load(name) for name in [\(csvs.map(py).joined(separator: ", "))]}
        for name, table in tables.items():
            print(f"{name}: {len(next(iter(table.values())))} rows, columns {', '.join(table)}")
        """
    }

    /// Where a figure goes: its place in `order`, else after them all, by name.
    static func rank(_ name: String, _ order: [String]) -> (Int, String) {
        (order.firstIndex(of: name) ?? order.count, name)
    }

    /// A `specgd plot-phase` figure: `STEM.svg` with `STEM.csv` and a record `STEM.json` whose
    /// configuration describes the figure (`figure`: panels, columns, scales, mask labels).
    struct PhaseFigure {
        var stem: String
        var title: String

        static func read(directory: String, svg: String, files: [String]) -> PhaseFigure? {
            let stem = String(svg.dropLast(4))
            guard files.contains(stem + ".csv"), files.contains(stem + ".json") else { return nil }
            let path = (directory as NSString).appendingPathComponent(stem + ".json")
            guard let record = try? RunRecord<PhaseRecord, PhaseSummary>.read(file: path), record.recordKind == .plotPhase else { return nil }
            let title = record.configuration.figure.title
            return PhaseFigure(stem: stem, title: title.isEmpty ? stem : title)
        }
    }

    /// The heatmap redraw of a phase figure, from its CSV and its record's `figure`: cell edges
    /// half-way between grid values (geometrically on a log axis, as the SVG draws them), a log
    /// colour scale when the record says so, and each masked status hatched with its label.
    static let phaseCode = """


        import json
        from matplotlib.colors import LogNorm, Normalize
        from matplotlib.patches import Rectangle


        def edges(values, log):
            \"\"\"Cell edges around sorted grid values: half-way between neighbours (in log on a log axis).\"\"\"
            v = np.log(values) if log else np.asarray(values, dtype=float)
            if len(v) == 1:
                e = np.array([v[0] - 0.5, v[0] + 0.5]) if not log else np.array([v[0] - 0.35, v[0] + 0.35])
            else:
                middle = (v[1:] + v[:-1]) / 2
                e = np.concatenate([[2 * v[0] - middle[0]], middle, [2 * v[-1] - middle[-1]]])
            return np.exp(e) if log else e


        COLORMAPS = {"viridis": "viridis", "greys": "Greys", "diverging": "RdBu_r"}
        HATCHES = {"no_escape": ("//", "#eeeeee", "#888888"), "diverged": ("xx", "white", "black")}


        def phase_figure(stem):
            \"\"\"Redraws the plot-phase figure STEM.svg from STEM.csv, as its record STEM.json describes it.\"\"\"
            with open(DATA / (stem + ".json")) as handle:
                config = json.load(handle)["configuration"]
            figure, table = config["figure"], tables[stem + ".csv"]
            xs, ys = np.unique(table[config["x"]]), np.unique(table[config["y"]])
            ix, iy = np.searchsorted(xs, table[config["x"]]), np.searchsorted(ys, table[config["y"]])
            status = np.full((len(ys), len(xs)), "ok", dtype=object)
            if "status" in table:
                status[iy, ix] = table["status"]
            panels = figure["panels"]
            fig, axs = plt.subplots(1, len(panels), figsize=(5.4 * len(panels), 4.4), squeeze=False)
            for ax, panel in zip(axs.flat, panels):
                z = np.full((len(ys), len(xs)), np.nan)
                z[iy, ix] = table[panel["column"]]
                low, high = panel.get("valueRange") or (None, None)
                if panel["logColor"]:
                    positive = z[np.isfinite(z) & (z > 0)]
                    norm = LogNorm(low or positive.min(), high or positive.max()) if positive.size else None
                else:
                    norm = Normalize(low, high)
                xe, ye = edges(xs, panel["xLog"]), edges(ys, panel["yLog"])
                mesh = ax.pcolormesh(xe, ye, np.ma.masked_invalid(z), cmap=COLORMAPS.get(panel["colormap"], "viridis"),
                                     norm=norm, shading="flat")
                fig.colorbar(mesh, ax=ax, label=panel["colorLabel"])
                labelled = set()
                for j, i in zip(*np.nonzero(~np.isfinite(z))):
                    state = status[j, i] if status[j, i] != "ok" else "no_value"
                    hatch, face, ink = HATCHES.get(state, ("..", "white", "#888888"))
                    label = figure["masks"].get(state, state.replace("_", " "))
                    ax.add_patch(Rectangle((xe[i], ye[j]), xe[i + 1] - xe[i], ye[j + 1] - ye[j], facecolor=face,
                                           edgecolor=ink, hatch=hatch, linewidth=0,
                                           label=None if label in labelled else label))
                    labelled.add(label)
                if panel.get("boundary"):
                    b = np.array(panel["boundary"])
                    ax.plot(b[:, 0], b[:, 1], linestyle="--", color="#D55E00", linewidth=2, label=panel.get("boundaryLabel"))
                if panel["xLog"]:
                    ax.set_xscale("log")
                if panel["yLog"]:
                    ax.set_yscale("log")
                ax.set_xlim(xe[0], xe[-1])
                ax.set_ylim(ye[0], ye[-1])
                ax.set_title(panel["title"], fontsize=9)
                ax.set_xlabel(panel["xLabel"])
                ax.set_ylabel(panel["yLabel"])
                if ax.get_legend_handles_labels()[0]:
                    ax.legend(fontsize=7, loc="upper right")
            fig.suptitle(figure["title"])
            fig.tight_layout()
            plt.show()
        """

    /// matplotlib code that redraws a recipe.
    static func matplotlib(_ recipe: FigureRecipe) -> String {
        let count = recipe.panels.count
        let columns = max(1, min(recipe.columns, count))
        let rows = (count + columns - 1) / columns
        var code = "fig, axs = plt.subplots(\(rows), \(columns), figsize=(\(4.4 * Double(columns)), \(3.4 * Double(rows))), squeeze=False)\n"
        code += "for ax in axs.flat[\(count):]:\n    ax.set_visible(False)\n"
        for (i, panel) in recipe.panels.enumerated() {
            code += "\nax = axs.flat[\(i)]\n"
            for s in panel.series {
                let t = "tables[\(py(s.csv))]"
                let label = s.label.map { ", label=\(py($0))" } ?? ""
                switch s.kind {
                case .band:
                    code += "ax.fill_between(\(t)[\(py(s.x))], \(t)[\(py(s.y))], \(t)[\(py(s.upper ?? s.y))], color=\(py(s.color)), alpha=0.22, linewidth=0\(label))\n"
                case .line:
                    code += "ax.plot(\(t)[\(py(s.x))], \(t)[\(py(s.y))], color=\(py(s.color)), linestyle=\(py(mplStyle(s.style))), linewidth=\(pyNumber(s.width ?? 1.8))\(label))\n"
                case .markers:
                    let every = s.maxMarkers.map { "max(1, -(-len(\(t)[\(py(s.x))]) // \($0)))" } ?? "1"
                    let face = s.filled ? s.color : "white"
                    code += "step = \(every)\n"
                    code += "ax.plot(\(t)[\(py(s.x))][::step], \(t)[\(py(s.y))][::step], linestyle=\"none\", marker=\(py(mplMarker(s.shape))), markersize=\(s.size.map { pyNumber(5 * $0 / SeriesRecipe.defaultMarkerSize) } ?? "5"), markerfacecolor=\(py(face)), color=\(py(s.color))\(label))\n"
                }
            }
            for r in panel.references {
                let call = r.vertical ? "axvline" : "axhline"
                code += "ax.\(call)(\(pyNumber(r.value)), color=\(py(r.color)), linestyle=\(py(mplStyle(r.style))), linewidth=1)\n"
            }
            if panel.xScale == .log { code += "ax.set_xscale(\"log\")\n" }
            if panel.yScale == .log { code += "ax.set_yscale(\"log\")\n" }
            if let limits = panel.yLimits, limits.count == 2 { code += "ax.set_ylim(\(pyNumber(limits[0])), \(pyNumber(limits[1])))\n" }
            code += "ax.set_title(\(py(panel.title)))\nax.set_xlabel(\(py(panel.xLabel)))\nax.set_ylabel(\(py(panel.yLabel)))\n"
            if panel.legend { code += "legend(ax)\n" }
        }
        code += "\nfig.suptitle(\(py(recipe.title)))\nfig.tight_layout()\nplt.show()\n"
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

    static func absolute(_ path: String) -> String {
        let url = path.hasPrefix("/") ? URL(fileURLWithPath: path)
            : URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(path)
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

    /// The `command` recorded in JSON sidecars, found by CSV name.
    struct Commands {
        var byFile = [String: String]()
        var distinct = [String]()

        init(directory: String, files: [String]) {
            struct Sidecar: Decodable { let command: String? }
            var fallback: String?
            for file in files where file.hasSuffix(".json") && !file.hasSuffix(".recipe.json") {
                let path = (directory as NSString).appendingPathComponent(file)
                guard let data = FileManager.default.contents(atPath: path),
                      let command = (try? JSONOutput.decoder().decode(Sidecar.self, from: data))?.command else { continue }
                byFile[String(file.dropLast(5)) + ".csv"] = command
                if !distinct.contains(command) { distinct.append(command) }
                fallback = fallback ?? command
            }
            // CSVs without their own sidecar were written by the run that wrote the directory's report.
            if distinct.count == 1, let fallback {
                for file in files where file.hasSuffix(".csv") && byFile[file] == nil { byFile[file] = fallback }
            }
        }

        func command(for csv: String) -> String? { byFile[csv] }
    }
}
