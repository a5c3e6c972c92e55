// Drawing for tools/sticker_gen.cpp: a libgd canvas drawn 4x larger than the output and
// box-filtered down (anti-aliasing for every primitive), shapes that can be grown (so one
// shape gives its dark outline and the sticker's white die-cut border), and PNG output with
// transparency. Coordinates are in output pixels (0..512), as doubles. Single-threaded.
#pragma once

#include <gd.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace sticker {

struct Pt {
  double x, y;
};

struct Rgba {
  int r, g, b;
  int alpha = 0;  // libgd's: 0 opaque .. 127 transparent
};

// Draws a shape on a canvas grown by `grow` pixels on every side, filled with `color`.
using Shape = std::function<void(gdImagePtr im, double grow, Rgba color)>;

struct ImageDeleter {
  void operator()(gdImagePtr im) const { gdImageDestroy(im); }
};
using ImagePtr = std::unique_ptr<gdImage, ImageDeleter>;

class Canvas {
 public:
  static constexpr int kSize = 512;
  static constexpr int kScale = 4;
  static constexpr double kOutline = 7;  // dark outline width
  static constexpr double kBorder = 12;  // white border around the whole silhouette

  Canvas();

  // Draws a sticker: `scene` runs twice, first for the white border (items only), then for
  // real (items with their outlines, details on top).
  void draw(const std::function<void(Canvas&)>& scene);

  // A part of the silhouette: outlined, and inside the white border.
  void item(const Shape& s, Rgba fill);
  // Something drawn on the sticker without outline or border (eyes, mouths, blush).
  void detail(const Shape& s, Rgba fill);

  // The 512x512 PNG (transparent background, compression level 9).
  std::string png() const;

 private:
  ImagePtr big_;
  bool border_pass_ = false;
};

// Primitive shapes. Every one of them grows by a disc (rounded offsets).
Shape ellipse(Pt c, double rx, double ry);
Shape disc(Pt c, double r);
Shape polygon(std::vector<Pt> pts);
Shape stroke(std::vector<Pt> path, double width);
Shape heart(Pt c, double size, double tilt_degrees = 0);
Shape teardrop(Pt tip, double length, double angle_degrees = 0);
Shape star(Pt c, double r_outer, double r_inner, int points = 5, double rotate_degrees = 0);

// Paths for stroke() and polygon().
std::vector<Pt> arc(Pt c, double rx, double ry, double from_degrees, double to_degrees,
                    int steps = 24);
std::vector<Pt> bezier(Pt a, Pt control, Pt b, int steps = 24);
std::vector<Pt> rotated(std::vector<Pt> pts, Pt around, double degrees);

}  // namespace sticker
