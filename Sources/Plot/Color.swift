/// An sRGB colour. Figures use the Okabe–Ito palette for series (distinguishable under the
/// common colour-vision deficiencies and in greyscale print) and viridis for heatmaps.
public struct Color: Sendable, Hashable {
    public var red: UInt8
    public var green: UInt8
    public var blue: UInt8

    public init(red: UInt8, green: UInt8, blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    /// `Color(hex: 0x0072B2)`.
    public init(hex: UInt32) {
        self.init(red: UInt8((hex >> 16) & 0xFF), green: UInt8((hex >> 8) & 0xFF), blue: UInt8(hex & 0xFF))
    }

    /// `#rrggbb`, the form SVG and matplotlib both accept.
    public var hex: String {
        let digits = Array("0123456789abcdef")
        return "#" + [red, green, blue].map { String(digits[Int($0 >> 4)]) + String(digits[Int($0 & 0xF)]) }.joined()
    }

    public static let black = Color(hex: 0x000000)
    public static let white = Color(hex: 0xFFFFFF)
    public static let gray = Color(hex: 0x777777)
    public static let lightGray = Color(hex: 0xDDDDDD)

    // Okabe & Ito (2008), "Color Universal Design".
    public static let orange = Color(hex: 0xE69F00)
    public static let skyBlue = Color(hex: 0x56B4E9)
    public static let bluishGreen = Color(hex: 0x009E73)
    public static let yellow = Color(hex: 0xF0E442)
    public static let blue = Color(hex: 0x0072B2)
    public static let vermillion = Color(hex: 0xD55E00)
    public static let reddishPurple = Color(hex: 0xCC79A7)

    /// Linear interpolation in sRGB, t ∈ [0, 1].
    public func mixed(with other: Color, _ t: Double) -> Color {
        func lerp(_ x: UInt8, _ y: UInt8) -> UInt8 {
            UInt8((Double(x) + (Double(y) - Double(x)) * min(max(t, 0), 1)).rounded())
        }
        return Color(red: lerp(red, other.red), green: lerp(green, other.green), blue: lerp(blue, other.blue))
    }
}

/// The series colour cycle: Okabe–Ito, ordered so the first colours contrast most on white
/// (yellow, the weakest on white, comes last).
public enum Palette {
    public static let okabeIto: [Color] = [
        .blue, .vermillion, .bluishGreen, .orange, .reddishPurple, .skyBlue, .black, .yellow,
    ]

    /// The i-th colour of the cycle (wraps around).
    public static func color(_ index: Int) -> Color {
        okabeIto[((index % okabeIto.count) + okabeIto.count) % okabeIto.count]
    }
}

/// A continuous colour map for heatmaps.
public enum Colormap: String, Sendable, Codable, CaseIterable {
    /// Perceptually uniform, colour-blind safe, monotone in lightness (matplotlib's default).
    case viridis
    /// Greyscale from white (low) to black (high), for print.
    case greys
    /// Diverging, for a ratio or a difference: Okabe–Ito blue (low) through white (the middle
    /// of the range) to vermillion (high); colour-blind safe. Centre the range on 1 (ratio,
    /// log scale) or 0 (difference) so white means "equal".
    case diverging

    /// The colour at t ∈ [0, 1] (clamped); NaN maps to light grey.
    public func color(at t: Double) -> Color {
        guard t.isFinite else { return .lightGray }
        let u = min(max(t, 0), 1)
        switch self {
        case .viridis:
            let stops = Colormap.viridisStops
            let position = u * Double(stops.count - 1)
            let i = min(Int(position), stops.count - 2)
            return stops[i].mixed(with: stops[i + 1], position - Double(i))
        case .greys:
            return Color.white.mixed(with: .black, u)
        case .diverging:
            return u < 0.5 ? Color.blue.mixed(with: .white, u * 2) : Color.white.mixed(with: .vermillion, u * 2 - 1)
        }
    }

    /// matplotlib's viridis sampled at 17 equally spaced points (0, 1/16, …, 1).
    static let viridisStops: [Color] = [
        0x440154, 0x48186A, 0x472D7B, 0x424086, 0x3B528B, 0x33638D, 0x2C728E, 0x26828E, 0x21918C,
        0x1FA088, 0x28AE80, 0x3FBC73, 0x5EC962, 0x84D44B, 0xADDC30, 0xD8E219, 0xFDE725,
    ].map { Color(hex: $0) }
}
