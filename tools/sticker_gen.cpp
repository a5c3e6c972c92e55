// nerutalk-sticker-gen: draws the project's sticker pack 1 ("Neru", a round lilac cat) with
// libgd and writes it as OUT_DIR/<sticker id>.png, 512x512 with transparency. The committed
// assets/stickers/1/ are its output; sql/0004_stickers.sql lists the same ids and names.
//
//   nerutalk-sticker-gen OUT_DIR        (build: cmake --build build --target nerutalk-sticker-gen)
#include <cstdio>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "sticker_canvas.hpp"

namespace {

using sticker::Canvas;
using sticker::Pt;
using sticker::Rgba;
using sticker::Shape;

constexpr Rgba kLilac{214, 198, 255};
constexpr Rgba kAngry{255, 160, 150};
constexpr Rgba kDark{58, 42, 74};
constexpr Rgba kWhite{255, 255, 255};
constexpr Rgba kPink{255, 150, 185};
constexpr Rgba kBlush{255, 120, 160, 70};
constexpr Rgba kMouth{184, 50, 79};
constexpr Rgba kTongue{255, 122, 154};
constexpr Rgba kTear{130, 205, 255};
constexpr Rgba kRed{255, 77, 109};
constexpr Rgba kYellow{255, 208, 60};
constexpr Rgba kBlue{110, 150, 255};
constexpr Rgba kGlass{34, 30, 44};

constexpr Pt kEyeL{198, 292}, kEyeR{314, 292};

Pt at(Pt p, double dx, double dy) {
  return {p.x + dx, p.y + dy};
}

// A shape drawn `by` pixels larger: rounds off a polygon's corners.
Shape rounded(Shape s, double by) {
  return
      [s = std::move(s), by](gdImagePtr im, double grow, Rgba color) { s(im, grow + by, color); };
}

Shape ear(bool left) {
  const double m = left ? 1 : -1;
  const auto x = [m](double v) { return 256 + m * (v - 256); };
  return rounded(sticker::polygon({{x(128), 222}, {x(140), 104}, {x(214), 166}}), 12);
}

// The mascot: ears behind a round body, a soft highlight, pink inner ears.
void body(Canvas& c, Rgba fill = kLilac) {
  c.item(ear(true), fill);
  c.item(ear(false), fill);
  c.detail(rounded(sticker::polygon({{144, 196}, {150, 124}, {204, 160}}), 5), kPink);
  c.detail(rounded(sticker::polygon({{368, 196}, {362, 124}, {308, 160}}), 5), kPink);
  c.item(sticker::ellipse({256, 300}, 168, 150), fill);
  c.detail(sticker::ellipse({184, 212}, 34, 16), {255, 255, 255, 80});
}

void cheeks(Canvas& c) {
  c.detail(sticker::ellipse({166, 336}, 26, 15), kBlush);
  c.detail(sticker::ellipse({346, 336}, 26, 15), kBlush);
}

void line(Canvas& c, std::vector<Pt> path, double width = 8, Rgba color = kDark) {
  c.detail(sticker::stroke(std::move(path), width), color);
}

// Eyes.
void eye_open(Canvas& c, Pt p, Pt look = {0, 0}) {
  c.detail(sticker::ellipse(at(p, look.x, look.y), 19, 25), kDark);
  c.detail(sticker::disc(at(p, look.x - 6, look.y - 10), 7), kWhite);
  c.detail(sticker::disc(at(p, look.x + 6, look.y + 8), 3), kWhite);
}
void eye_happy(Canvas& c, Pt p) {
  line(c, sticker::arc(at(p, 0, 8), 20, 18, 195, 345), 9);
}
void eye_closed(Canvas& c, Pt p) {
  line(c, sticker::arc(at(p, 0, -6), 20, 14, 15, 165), 9);
}
void eye_squeezed(Canvas& c, Pt p, bool left) {
  const double m = left ? 1 : -1;
  line(c, {at(p, -16 * m, -15), at(p, 14 * m, 0), at(p, -16 * m, 15)}, 9);
}
void eye_wide(Canvas& c, Pt p, double pupil = 12) {
  c.detail(sticker::disc(p, 33), kDark);
  c.detail(sticker::disc(p, 27), kWhite);
  c.detail(sticker::disc(at(p, 0, 2), pupil), kDark);
  c.detail(sticker::disc(at(p, -4, -3), 4), kWhite);
}

enum class Eyes { kOpen, kHappy, kClosed };

// The mascot with both eyes alike, blushing or not.
void face(Canvas& c, Eyes eyes, bool blush = true) {
  body(c);
  if (blush) cheeks(c);
  for (const Pt p : {kEyeL, kEyeR}) {
    if (eyes == Eyes::kOpen) eye_open(c, p);
    if (eyes == Eyes::kHappy) eye_happy(c, p);
    if (eyes == Eyes::kClosed) eye_closed(c, p);
  }
}

// Mouths.
void mouth_cat(Canvas& c) {
  c.detail(sticker::ellipse({256, 320}, 10, 7), kPink);
  line(c, sticker::arc({242, 326}, 14, 12, 0, 160), 7);
  line(c, sticker::arc({270, 326}, 14, 12, 20, 180), 7);
}
void mouth_open(Canvas& c, Pt m, double w, double h) {
  std::vector<Pt> pts = sticker::arc(m, w, h, 0, 180);
  c.detail(rounded(sticker::polygon(pts), 5), kDark);
  c.detail(sticker::polygon(pts), kMouth);
  c.detail(sticker::ellipse(at(m, 0, h * 0.7), w * 0.45, h * 0.28), kTongue);
}
void mouth_frown(Canvas& c, Pt m, double w) {
  line(c, sticker::arc(at(m, 0, 14), w, 14, 200, 340));
}
void mouth_o(Canvas& c, Pt m, double rx, double ry) {
  c.detail(sticker::ellipse(m, rx + 5, ry + 5), kDark);
  c.detail(sticker::ellipse(m, rx, ry), kMouth);
}

// Extras.
void tear(Canvas& c, Pt tip, double len, double angle = 0) {
  c.item(sticker::teardrop(tip, len, angle), kTear);
}
void paw(Canvas& c, Pt p, double rx = 40, double ry = 32, double tilt = 0, Rgba fill = kLilac) {
  c.item(sticker::polygon(sticker::rotated(sticker::arc(p, rx, ry, 0, 360, 36), p, tilt)), fill);
  // Toe lines.
  for (const double dx : {-rx / 3, rx / 3}) {
    const std::vector<Pt> toe{at(p, dx, -ry * 0.95), at(p, dx, -ry * 0.55)};
    line(c, sticker::rotated(toe, p, tilt), 5);
  }
}
void sparkle(Canvas& c, Pt p, double r) {
  c.item(sticker::star(p, r, r * 0.38, 4), kYellow);
}
void letter_z(Canvas& c, Pt p, double s) {
  c.item(sticker::stroke({at(p, -s, -s), at(p, s, -s), at(p, -s, s), at(p, s, s)}, s * 0.42),
         kBlue);
}

// The stickers.
void happy(Canvas& c) {
  face(c, Eyes::kHappy);
  mouth_open(c, {256, 330}, 34, 34);
}

void laughing(Canvas& c) {
  body(c);
  cheeks(c);
  eye_squeezed(c, kEyeL, true);
  eye_squeezed(c, kEyeR, false);
  mouth_open(c, {256, 322}, 58, 62);
  tear(c, {112, 262}, 48, 55);
  tear(c, {400, 262}, 48, -55);
  tear(c, {86, 214}, 30, 70);
  tear(c, {426, 214}, 30, -70);
}

void sad(Canvas& c) {
  body(c);
  eye_open(c, at(kEyeL, 0, 6), {0, 4});
  eye_open(c, at(kEyeR, 0, 6), {0, 4});
  line(c, {{170, 250}, {222, 236}});
  line(c, {{342, 250}, {290, 236}});
  mouth_frown(c, {256, 352}, 30);
  tear(c, {205, 330}, 46);
}

void crying(Canvas& c) {
  face(c, Eyes::kClosed, false);
  line(c, {{168, 252}, {222, 240}});
  line(c, {{344, 252}, {290, 240}});
  // Streams of tears down the cheeks.
  c.item(sticker::polygon({{186, 300}, {208, 300}, {214, 440}, {178, 440}}), kTear);
  c.item(sticker::polygon({{304, 300}, {326, 300}, {334, 440}, {298, 440}}), kTear);
  mouth_open(c, {256, 338}, 40, 46);
  tear(c, {96, 250}, 40, 60);
  tear(c, {416, 250}, 40, -60);
}

void angry(Canvas& c) {
  body(c, kAngry);
  eye_open(c, at(kEyeL, 4, 8));
  eye_open(c, at(kEyeR, -4, 8));
  line(c, {{164, 246}, {226, 270}}, 12);
  line(c, {{348, 246}, {286, 270}}, 12);
  mouth_frown(c, {256, 356}, 36);
  // The anger mark, top right.
  const Pt m{392, 146};
  for (int i = 0; i < 4; ++i) {
    const double a = 45 + 90 * i;
    c.item(sticker::stroke(
               sticker::rotated(sticker::arc(at(m, 26, -26), 18, 18, 90, 180, 10), m, a), 11),
           kRed);
  }
}

void surprised(Canvas& c) {
  body(c);
  eye_wide(c, at(kEyeL, 0, -4));
  eye_wide(c, at(kEyeR, 0, -4));
  line(c, sticker::arc({198, 240}, 26, 12, 200, 340));
  line(c, sticker::arc({314, 240}, 26, 12, 200, 340));
  mouth_o(c, {256, 362}, 20, 26);
  c.item(sticker::stroke({{438, 60}, {426, 140}}, 20), kYellow);
  c.item(sticker::disc({421, 178}, 12), kYellow);
}

void love(Canvas& c) {
  body(c);
  cheeks(c);
  c.item(sticker::heart(kEyeL, 66, -8), kRed);
  c.item(sticker::heart(kEyeR, 66, 8), kRed);
  mouth_open(c, {256, 340}, 30, 28);
  c.item(sticker::heart({92, 120}, 54, -20), kPink);
  c.item(sticker::heart({430, 92}, 70, 18), kRed);
  c.item(sticker::heart({448, 200}, 40, 25), kPink);
}

void thumbs_up(Canvas& c) {
  body(c);
  cheeks(c);
  eye_happy(c, kEyeL);
  eye_open(c, kEyeR);
  mouth_open(c, {256, 332}, 30, 28);
  // A fist with the thumb up, in front on the right.
  c.item(rounded(sticker::polygon({{392, 222}, {410, 222}, {412, 320}, {390, 320}}), 16), kLilac);
  c.item(rounded(sticker::polygon({{352, 330}, {440, 318}, {446, 410}, {356, 420}}), 22), kLilac);
  for (const double y : {350.0, 378.0, 404.0}) line(c, {{352, y}, {384, y - 2}}, 5);
  sparkle(c, {96, 120}, 34);
  sparkle(c, {60, 200}, 18);
}

void sleepy(Canvas& c) {
  face(c, Eyes::kClosed, false);
  mouth_o(c, {256, 350}, 10, 8);
  // Nightcap with a pom-pom, drooping to the left.
  c.item(rounded(sticker::polygon({{196, 164}, {336, 142}, {240, 70}, {150, 62}}), 10), kBlue);
  c.item(rounded(sticker::polygon({{186, 168}, {344, 142}, {348, 168}, {190, 194}}), 10), kWhite);
  c.item(sticker::disc({132, 74}, 26), kWhite);
  // A bubble from the nose and the Zzz.
  c.detail(sticker::disc({296, 352}, 22), {190, 230, 255, 40});
  c.detail(sticker::disc({289, 344}, 5), {255, 255, 255, 30});
  letter_z(c, {382, 118}, 22);
  letter_z(c, {436, 70}, 15);
  letter_z(c, {470, 34}, 10);
}

void thinking(Canvas& c) {
  body(c);
  eye_open(c, kEyeL, {-6, -8});
  eye_open(c, kEyeR, {-6, -8});
  line(c, sticker::arc({198, 242}, 26, 10, 200, 340));
  line(c, {{292, 232}, {340, 240}});
  line(c, sticker::bezier({232, 352}, {256, 342}, {284, 356}));
  paw(c, {300, 402}, 44, 34, -20);
  // The question mark.
  c.item(sticker::stroke(
             [] {
               std::vector<Pt> q = sticker::arc({430, 88}, 30, 30, 180, 400, 20);
               q.push_back({430, 150});
               return q;
             }(),
             18),
         kYellow);
  c.item(sticker::disc({430, 186}, 11), kYellow);
}

void cool(Canvas& c) {
  body(c);
  cheeks(c);
  // Sunglasses.
  c.item(sticker::stroke({{150, 278}, {362, 278}}, 10), kGlass);
  c.item(rounded(sticker::polygon({{150, 268}, {240, 268}, {232, 318}, {160, 318}}), 8), kGlass);
  c.item(rounded(sticker::polygon({{272, 268}, {362, 268}, {352, 318}, {280, 318}}), 8), kGlass);
  line(c, {{168, 300}, {190, 276}}, 6, {255, 255, 255, 40});
  line(c, {{290, 300}, {312, 276}}, 6, {255, 255, 255, 40});
  line(c, sticker::bezier({226, 356}, {262, 372}, {292, 342}));
  sparkle(c, {420, 110}, 30);
}

void waving(Canvas& c) {
  face(c, Eyes::kOpen);
  mouth_open(c, {256, 332}, 32, 32);
  paw(c, {414, 224}, 36, 44, 15);
  c.item(sticker::stroke(sticker::arc({414, 224}, 74, 74, 282, 306, 8), 6), kDark);
  c.item(sticker::stroke(sticker::arc({414, 224}, 74, 74, 326, 350, 8), 6), kDark);
}

void wink(Canvas& c) {
  body(c);
  cheeks(c);
  eye_open(c, kEyeL);
  eye_squeezed(c, kEyeR, false);
  line(c, sticker::bezier({222, 334}, {256, 356}, {290, 334}));
  c.detail(rounded(sticker::polygon({{262, 346}, {290, 338}, {294, 372}, {270, 378}}), 9), kDark);
  c.detail(rounded(sticker::polygon({{264, 346}, {288, 340}, {291, 370}, {271, 375}}), 6), kTongue);
  sparkle(c, {430, 150}, 26);
}

void party(Canvas& c) {
  face(c, Eyes::kHappy);
  mouth_open(c, {256, 330}, 40, 40);
  // A striped party hat on the right ear.
  const std::vector<Pt> hat{{250, 160}, {360, 178}, {338, 40}};
  c.item(rounded(sticker::polygon(hat), 6), kYellow);
  line(c, {{268, 128}, {350, 140}}, 9, kRed);
  line(c, {{296, 86}, {343, 95}}, 9, kRed);
  c.item(sticker::disc({338, 40}, 18), kRed);
  // Confetti.
  const Rgba colors[] = {kRed, kBlue, kYellow, {120, 220, 160}, kPink};
  const Pt spots[] = {{70, 120}, {150, 50}, {440, 130}, {470, 250}, {50, 270}, {430, 30}};
  for (int i = 0; i < 6; ++i) {
    const Pt p = spots[i];
    c.item(sticker::polygon(sticker::rotated(
               {at(p, -12, -6), at(p, 12, -6), at(p, 12, 6), at(p, -12, 6)}, p, 35.0 * i)),
           colors[i % 5]);
  }
}

void big_heart(Canvas& c) {
  face(c, Eyes::kHappy);
  mouth_cat(c);
  c.item(sticker::heart({256, 380}, 190), kRed);
  c.detail(sticker::ellipse({200, 352}, 20, 12), {255, 255, 255, 60});
  paw(c, {166, 392}, 36, 30, 30);
  paw(c, {346, 392}, 36, 30, -30);
}

struct Sticker {
  int id;
  const char* name;
  void (*scene)(Canvas&);
};

// Ids, names and order as in sql/0004_stickers.sql.
const Sticker kStickers[] = {
    {1, "Happy", happy},        {2, "Laughing", laughing},   {3, "Sad", sad},
    {4, "Crying", crying},      {5, "Angry", angry},         {6, "Surprised", surprised},
    {7, "In love", love},       {8, "Thumbs up", thumbs_up}, {9, "Sleepy", sleepy},
    {10, "Thinking", thinking}, {11, "Cool", cool},          {12, "Waving", waving},
    {13, "Wink", wink},         {14, "Party", party},        {15, "Big heart", big_heart},
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s OUT_DIR\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  for (const Sticker& s : kStickers) {
    Canvas canvas;
    canvas.draw(s.scene);
    const std::string png = canvas.png();
    const std::string path = dir + "/" + std::to_string(s.id) + ".png";
    std::ofstream out(path, std::ios::binary);
    out.write(png.data(), static_cast<std::streamsize>(png.size()));
    if (!out.flush()) {
      fprintf(stderr, "cannot write %s\n", path.c_str());
      return 1;
    }
    printf("%2d %-10s %6zu bytes  %s\n", s.id, s.name, png.size(), path.c_str());
  }
  return 0;
}
