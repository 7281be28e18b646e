//! The PNG side of the plots: plotters' bitmap backend drawing into memory,
//! with text drawn glyph by glyph at each glyph's own position, and the
//! image encoded as PNG bytes (written whole by the caller).
//!
//! plotters 0.3.7 rasterizes each glyph of a bitmap text at the origin and
//! places its pixel box at the pen position, dropping the glyph's side
//! bearing and its fraction of a pixel: narrow letters shift left and words
//! look torn apart ("resol ution"). Here each glyph is outlined at its
//! fractional pen position (advance and kerning from the font), so letters
//! sit where the font puts them. Everything else is drawn by plotters.

use std::sync::OnceLock;

use ab_glyph::{Font, FontRef, ScaleFont, point};
use plotters::prelude::BitMapBackend;
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
};

/// A bitmap drawing backend over an RGB buffer whose text is drawn with
/// correct glyph positions.
pub struct PngBackend<'a> {
    inner: BitMapBackend<'a>,
    font: &'static FontRef<'static>,
}

impl<'a> PngBackend<'a> {
    /// Draws into `pixels` (RGB, `size.0 × size.1 × 3` bytes) with `font`
    /// (the font plotters was given for the same family).
    pub fn new(pixels: &'a mut [u8], size: (u32, u32), font: &'static [u8]) -> Option<Self> {
        static PARSED: OnceLock<Option<FontRef<'static>>> = OnceLock::new();
        let font = PARSED
            .get_or_init(|| FontRef::try_from_slice(font).ok())
            .as_ref()?;
        Some(Self {
            inner: BitMapBackend::with_buffer(pixels, size),
            font,
        })
    }
}

/// The bitmap backend's error.
type BitMapError = <BitMapBackend<'static> as DrawingBackend>::ErrorType;
type Failure = DrawingErrorKind<BitMapError>;

impl DrawingBackend for PngBackend<'_> {
    type ErrorType = BitMapError;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<(), Failure> {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), Failure> {
        self.inner.present()
    }

    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> Result<(), Failure> {
        self.inner.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), Failure> {
        self.inner.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), Failure> {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), Failure> {
        self.inner.blit_bitmap(pos, size, src)
    }

    /// As plotters' default (the same layout box, anchor and rotation), but
    /// each glyph outlined at its own pen position.
    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), Failure> {
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let ((min_x, min_y), (max_x, max_y)) = style
            .layout_box(text)
            .map_err(|e| DrawingErrorKind::FontError(Box::new(e)))?;
        let (width, height) = (max_x - min_x, max_y - min_y);
        let dx = match style.anchor().h_pos {
            HPos::Left => 0,
            HPos::Right => -width,
            HPos::Center => -width / 2,
        };
        let dy = match style.anchor().v_pos {
            VPos::Top => 0,
            VPos::Center => -height / 2,
            VPos::Bottom => -height,
        };
        let transform = style.transform();
        let (w, h) = self.get_size();
        let size = style.size() as f32;
        let font = self.font.as_scaled(size);
        let mut caret = 0f32;
        let mut previous = None;
        let mut coverage: Vec<(i32, i32, f32)> = Vec::new();
        for c in text.chars() {
            let id = font.glyph_id(c);
            if let Some(p) = previous {
                caret += font.kern(p, id);
            }
            previous = Some(id);
            let glyph = id.with_scale_and_position(font.scale(), point(caret, 0.0));
            if let Some(outline) = font.outline_glyph(glyph) {
                let bounds = outline.px_bounds();
                // The vertical placement is plotters' own, so that text sits
                // where its layout box says.
                let (x0, y0) = (bounds.min.x as i32, (size / 2.0 + bounds.min.y) as i32);
                coverage.clear();
                outline.draw(|x, y, a| coverage.push((x as i32 + x0, y as i32 + y0, a)));
                for &(x, y, a) in &coverage {
                    let (x, y) = transform.transform(x + dx - min_x, y + dy - min_y);
                    let (x, y) = (pos.0 + x, pos.1 + y);
                    if x >= 0 && x < w as i32 && y >= 0 && y < h as i32 {
                        self.inner.draw_pixel((x, y), color.mix(f64::from(a)))?;
                    }
                }
            }
            caret += font.h_advance(id);
        }
        Ok(())
    }
}

/// An 8-bit RGB image as PNG bytes.
pub fn encode_png(
    pixels: &[u8],
    (width, height): (u32, u32),
) -> Result<Vec<u8>, png::EncodingError> {
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    // The default level: the highest took twice the time (two thirds of a
    // comparison's report went to compressing) for files 0.01–2% smaller.
    encoder.set_compression(png::Compression::Default);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(pixels)?;
    writer.finish()?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::plots::{FONT, FONT_BYTES, register_font};
    use plotters::style::{IntoFont, TextStyle};

    /// Whether column `x` of an RGB image has ink.
    fn inked(pixels: &[u8], (w, h): (u32, u32), x: usize) -> bool {
        (0..h as usize).any(|y| pixels[(y * w as usize + x) * 3] < 128)
    }

    /// The first column from `from` on whose inkedness is `ink`.
    fn next_column(pixels: &[u8], size: (u32, u32), from: usize, ink: bool) -> usize {
        (from..size.0 as usize)
            .find(|&x| inked(pixels, size, x) == ink)
            .expect("such a column")
    }

    #[test]
    fn glyphs_keep_their_side_bearing_and_advance() {
        register_font();
        let size = (200, 80);
        let mut pixels = vec![255u8; 200 * 80 * 3];
        let style: TextStyle = (FONT, 40).into_font().into();
        {
            let mut backend = PngBackend::new(&mut pixels, size, FONT_BYTES).unwrap();
            backend.draw_text("ll", &style, (10, 10)).unwrap();
        }
        let font = FontRef::try_from_slice(FONT_BYTES).unwrap();
        let scaled = font.as_scaled(40.0);
        let l = scaled.glyph_id('l');
        let bearing = scaled.h_side_bearing(l);
        let advance = scaled.h_advance(l) + scaled.kern(l, l);
        // The test could not tell the bug apart with a glyph flush left.
        assert!(bearing >= 2.0, "bearing {bearing}");
        let first = next_column(&pixels, size, 0, true);
        assert!(
            (first as f32 - (10.0 + bearing)).abs() <= 1.0,
            "first l at {first}, expected {}",
            10.0 + bearing
        );
        // The second l: past the first one's stem and a gap.
        let gap = next_column(&pixels, size, first, false);
        let second = next_column(&pixels, size, gap, true) as f32;
        assert!(
            (second - (10.0 + advance + bearing)).abs() <= 1.0,
            "second l at {second}, expected {}",
            10.0 + advance + bearing
        );
    }
}
