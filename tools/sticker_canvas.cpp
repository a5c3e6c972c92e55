#include "sticker_canvas.hpp"

#include <cmath>
#include <stdexcept>

namespace sticker {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr Rgba kOutlineColor{58, 42, 74};
constexpr Rgba kBorderColor{255, 255, 255};

int gd(double v) {
  return static_cast<int>(std::lround(v * Canvas::kScale));
}
double rad(double degrees) {
  return degrees * kPi / 180;
}

int color_of(gdImagePtr im, Rgba c) {
  return gdImageColorResolveAlpha(im, c.r, c.g, c.b, c.alpha);
}

void fill_disc(gdImagePtr im, Pt c, double r, int color) {
  gdImageFilledEllipse(im, gd(c.x), gd(c.y), gd(2 * r), gd(2 * r), color);
}

void fill_polygon(gdImagePtr im, const std::vector<Pt>& pts, int color) {
  std::vector<gdPoint> p;
  p.reserve(pts.size());
  for (const Pt& q : pts) p.push_back({gd(q.x), gd(q.y)});
  gdImageFilledPolygon(im, p.data(), static_cast<int>(p.size()), color);
}

// A thick line with round caps and joins: a quad per segment and a disc per vertex.
void fill_stroke(gdImagePtr im, const std::vector<Pt>& path, double half, int color) {
  if (half <= 0 || path.empty()) return;
  for (size_t i = 0; i + 1 < path.size(); ++i) {
    const Pt a = path[i], b = path[i + 1];
    const double len = std::hypot(b.x - a.x, b.y - a.y);
    if (len < 1e-9) continue;
    const double nx = -(b.y - a.y) / len * half, ny = (b.x - a.x) / len * half;
    fill_polygon(
        im,
        {{a.x + nx, a.y + ny}, {b.x + nx, b.y + ny}, {b.x - nx, b.y - ny}, {a.x - nx, a.y - ny}},
        color);
  }
  for (const Pt& p : path) fill_disc(im, p, half, color);
}

// Averages kScale x kScale blocks with alpha weighting (a transparent neighbour must not
// darken an edge).
ImagePtr downsample(gdImagePtr big) {
  constexpr int n = Canvas::kScale;
  ImagePtr out(gdImageCreateTrueColor(Canvas::kSize, Canvas::kSize));
  if (!out) throw std::runtime_error("gdImageCreateTrueColor failed");
  gdImageAlphaBlending(out.get(), 0);
  gdImageSaveAlpha(out.get(), 1);
  for (int y = 0; y < Canvas::kSize; ++y) {
    for (int x = 0; x < Canvas::kSize; ++x) {
      long r = 0, g = 0, b = 0, opacity = 0;
      for (int dy = 0; dy < n; ++dy) {
        for (int dx = 0; dx < n; ++dx) {
          const int p = gdImageTrueColorPixel(big, x * n + dx, y * n + dy);
          const int o = gdAlphaMax - gdTrueColorGetAlpha(p);
          r += gdTrueColorGetRed(p) * o;
          g += gdTrueColorGetGreen(p) * o;
          b += gdTrueColorGetBlue(p) * o;
          opacity += o;
        }
      }
      const int alpha = gdAlphaMax - static_cast<int>((opacity + n * n / 2) / (n * n));
      const int color = opacity == 0
                            ? gdTrueColorAlpha(255, 255, 255, gdAlphaMax)
                            : gdTrueColorAlpha(r / opacity, g / opacity, b / opacity, alpha);
      gdImageSetPixel(out.get(), x, y, color);
    }
  }
  return out;
}

}  // namespace

Canvas::Canvas() : big_(gdImageCreateTrueColor(kSize * kScale, kSize * kScale)) {
  if (!big_) throw std::runtime_error("gdImageCreateTrueColor failed");
  gdImageAlphaBlending(big_.get(), 0);
  gdImageFilledRectangle(big_.get(), 0, 0, kSize * kScale - 1, kSize * kScale - 1,
                         gdTrueColorAlpha(255, 255, 255, gdAlphaMax));
  gdImageAlphaBlending(big_.get(), 1);
}

void Canvas::draw(const std::function<void(Canvas&)>& scene) {
  border_pass_ = true;
  scene(*this);
  border_pass_ = false;
  scene(*this);
}

void Canvas::item(const Shape& s, Rgba fill) {
  if (border_pass_) {
    s(big_.get(), kOutline + kBorder, kBorderColor);
    return;
  }
  s(big_.get(), kOutline, kOutlineColor);
  s(big_.get(), 0, fill);
}

void Canvas::detail(const Shape& s, Rgba fill) {
  if (!border_pass_) s(big_.get(), 0, fill);
}

std::string Canvas::png() const {
  const ImagePtr small = downsample(big_.get());
  int size = 0;
  std::unique_ptr<void, decltype(&gdFree)> bytes(gdImagePngPtrEx(small.get(), &size, 9), gdFree);
  if (!bytes) throw std::runtime_error("gdImagePngPtrEx failed");
  return std::string(static_cast<const char*>(bytes.get()), static_cast<size_t>(size));
}

Shape ellipse(Pt c, double rx, double ry) {
  return [=](gdImagePtr im, double grow, Rgba color) {
    gdImageFilledEllipse(im, gd(c.x), gd(c.y), gd(2 * (rx + grow)), gd(2 * (ry + grow)),
                         color_of(im, color));
  };
}

Shape disc(Pt c, double r) {
  return ellipse(c, r, r);
}

Shape polygon(std::vector<Pt> pts) {
  return [pts = std::move(pts)](gdImagePtr im, double grow, Rgba color) {
    const int col = color_of(im, color);
    fill_polygon(im, pts, col);
    if (grow > 0) {
      std::vector<Pt> closed = pts;
      closed.push_back(pts.front());
      fill_stroke(im, closed, grow, col);
    }
  };
}

Shape stroke(std::vector<Pt> path, double width) {
  return [path = std::move(path), width](gdImagePtr im, double grow, Rgba color) {
    fill_stroke(im, path, width / 2 + grow, color_of(im, color));
  };
}

Shape heart(Pt c, double size, double tilt_degrees) {
  // The classic heart curve, about 32 x 30 units, scaled to `size` wide.
  std::vector<Pt> pts;
  for (int i = 0; i < 72; ++i) {
    const double t = 2 * kPi * i / 72;
    const double x = 16 * std::pow(std::sin(t), 3);
    const double y =
        -(13 * std::cos(t) - 5 * std::cos(2 * t) - 2 * std::cos(3 * t) - std::cos(4 * t));
    pts.push_back({c.x + x * size / 32, c.y + (y + 2) * size / 32});
  }
  return polygon(rotated(std::move(pts), c, tilt_degrees));
}

Shape teardrop(Pt tip, double length, double angle_degrees) {
  // Pointing up: a circle at the bottom and the two tangents from the tip.
  const double r = length * 0.36, d = length - r;
  const Pt center{tip.x, tip.y + d};
  const double a = std::acos(r / d) * 180 / kPi;
  std::vector<Pt> pts{tip};
  for (const Pt& p : arc(center, r, r, -90 + a, 270 - a, 28)) pts.push_back(p);
  return polygon(rotated(std::move(pts), tip, angle_degrees));
}

Shape star(Pt c, double r_outer, double r_inner, int points, double rotate_degrees) {
  std::vector<Pt> pts;
  for (int i = 0; i < 2 * points; ++i) {
    const double r = i % 2 == 0 ? r_outer : r_inner;
    const double t = rad(rotate_degrees - 90 + 180.0 * i / points);
    pts.push_back({c.x + r * std::cos(t), c.y + r * std::sin(t)});
  }
  return polygon(std::move(pts));
}

std::vector<Pt> arc(Pt c, double rx, double ry, double from_degrees, double to_degrees, int steps) {
  std::vector<Pt> pts;
  for (int i = 0; i <= steps; ++i) {
    const double t = rad(from_degrees + (to_degrees - from_degrees) * i / steps);
    pts.push_back({c.x + rx * std::cos(t), c.y + ry * std::sin(t)});
  }
  return pts;
}

std::vector<Pt> bezier(Pt a, Pt control, Pt b, int steps) {
  std::vector<Pt> pts;
  for (int i = 0; i <= steps; ++i) {
    const double t = double(i) / steps, u = 1 - t;
    pts.push_back({u * u * a.x + 2 * u * t * control.x + t * t * b.x,
                   u * u * a.y + 2 * u * t * control.y + t * t * b.y});
  }
  return pts;
}

std::vector<Pt> rotated(std::vector<Pt> pts, Pt around, double degrees) {
  const double c = std::cos(rad(degrees)), s = std::sin(rad(degrees));
  for (Pt& p : pts) {
    const double x = p.x - around.x, y = p.y - around.y;
    p = {around.x + x * c - y * s, around.y + x * s + y * c};
  }
  return pts;
}

}  // namespace sticker
