package loadgen

import (
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"strconv"
	"strings"
)

// The chart is drawn with the standard library (image, image/png) and a
// 3×5 bitmap font below: four stacked line panels over one time axis need
// no more, and it adds no module (and no font files) to the build.

// Chart geometry, in pixels.
const (
	chartW     = 960
	panelH     = 190
	marginL    = 64
	marginR    = 24
	panelTop   = 26 // title and legend
	panelBot   = 22 // x tick labels
	fontScale  = 2
	glyphW     = 3
	glyphH     = 5
	glyphAdv   = (glyphW + 1) * fontScale
	lineHeight = (glyphH + 2) * fontScale
)

var (
	white  = color.RGBA{255, 255, 255, 255}
	black  = color.RGBA{0, 0, 0, 255}
	grid   = color.RGBA{225, 225, 225, 255}
	blue   = color.RGBA{31, 119, 180, 255}
	red    = color.RGBA{214, 39, 40, 255}
	green  = color.RGBA{44, 160, 44, 255}
	gray   = color.RGBA{140, 140, 140, 255}
	purple = color.RGBA{148, 103, 189, 255}
	orange = color.RGBA{255, 127, 14, 255}
)

// line is one series of a panel; NaN is a gap.
type line struct {
	label string
	c     color.RGBA
	ys    []float64
}

type panel struct {
	title string
	lines []line
}

// WriteChart draws res's series as a PNG: execution and order latency,
// throughput, CPU and resident memory, per second.
func WriteChart(w io.Writer, res *Result) error {
	n := len(res.Series)
	get := func(f func(Point) float64, gapIfZero bool) []float64 {
		ys := make([]float64, n)
		for i, p := range res.Series {
			ys[i] = f(p)
			if gapIfZero && ys[i] == 0 {
				ys[i] = math.NaN()
			}
		}
		return ys
	}
	panels := []panel{
		{"LATENCY MS", []line{
			{"EXEC P50", blue, get(func(p Point) float64 { return p.ExecP50Ms }, true)},
			{"EXEC P99", red, get(func(p Point) float64 { return p.ExecP99Ms }, true)},
			{"ORDER P50", green, get(func(p Point) float64 { return p.OrderP50Ms }, true)},
		}},
		{"THROUGHPUT TX/S", []line{
			{"SENT", gray, get(func(p Point) float64 { return float64(p.Sent) }, false)},
			{"EXECUTED", blue, get(func(p Point) float64 { return float64(p.Executed) }, false)},
		}},
		{"CPU % (100 = ONE CORE)", []line{{"CPU", orange, get(func(p Point) float64 { return p.CPUPercent }, false)}}},
		{"MEMORY MIB", []line{
			{"RSS", purple, get(func(p Point) float64 { return p.RSSMiB }, true)},
			{"ANON", orange, get(func(p Point) float64 { return p.AnonMiB }, true)},
			{"FILE", gray, get(func(p Point) float64 { return p.FileMiB }, true)},
			{"GO HEAP", green, get(func(p Point) float64 { return p.HeapMiB }, true)},
		}},
	}
	img := image.NewRGBA(image.Rect(0, 0, chartW, len(panels)*panelH+lineHeight+8))
	fill(img, img.Bounds(), white)
	for i, p := range panels {
		drawPanel(img, image.Rect(0, i*panelH, chartW, (i+1)*panelH), p, n)
	}
	text(img, chartW/2-len("TIME S")*glyphAdv/2, len(panels)*panelH+4, "TIME S", black)
	return png.Encode(w, img)
}

func drawPanel(img *image.RGBA, r image.Rectangle, p panel, n int) {
	plot := image.Rect(r.Min.X+marginL, r.Min.Y+panelTop, r.Max.X-marginR, r.Max.Y-panelBot)
	// Title and legend.
	text(img, plot.Min.X, r.Min.Y+6, p.title, black)
	x := plot.Min.X + (len(p.title)+3)*glyphAdv
	for _, l := range p.lines {
		fill(img, image.Rect(x, r.Min.Y+10, x+14, r.Min.Y+13), l.c)
		text(img, x+18, r.Min.Y+6, l.label, black)
		x += 18 + (len(l.label)+2)*glyphAdv
	}
	// Axes: y from 0 to a round maximum, x from 0 to n seconds.
	top := 0.0
	for _, l := range p.lines {
		for _, y := range l.ys {
			if !math.IsNaN(y) {
				top = max(top, y)
			}
		}
	}
	top = niceCeil(top)
	// Ticks at round values: 1 and 5 split in five, 2 in four.
	yTicks := 5
	if lead := top / math.Pow(10, math.Floor(math.Log10(top))); lead > 1.5 && lead < 2.5 {
		yTicks = 4
	}
	for i := 0; i <= yTicks; i++ {
		v := top * float64(i) / float64(yTicks)
		y := plot.Max.Y - int(float64(plot.Dy())*float64(i)/float64(yTicks))
		fill(img, image.Rect(plot.Min.X, y, plot.Max.X, y+1), grid)
		s := label(v)
		text(img, plot.Min.X-6-len(s)*glyphAdv, y-glyphH*fontScale/2, s, black)
	}
	xs := max(n, 1)
	step := niceCeil(float64(xs) / 10)
	for t := 0.0; t <= float64(xs); t += step {
		x := plot.Min.X + int(float64(plot.Dx())*t/float64(xs))
		fill(img, image.Rect(x, plot.Max.Y, x+1, plot.Max.Y+4), black)
		s := label(t)
		text(img, x-len(s)*glyphAdv/2, plot.Max.Y+7, s, black)
	}
	fill(img, image.Rect(plot.Min.X, plot.Min.Y, plot.Min.X+1, plot.Max.Y+1), black)
	fill(img, image.Rect(plot.Min.X, plot.Max.Y, plot.Max.X, plot.Max.Y+1), black)
	// Series: point i is second i+1.
	for _, l := range p.lines {
		px := func(i int) int { return plot.Min.X + int(float64(plot.Dx())*float64(i+1)/float64(xs)) }
		py := func(v float64) int { return plot.Max.Y - int(float64(plot.Dy())*v/top) }
		for i, y := range l.ys {
			if math.IsNaN(y) {
				continue
			}
			if i > 0 && !math.IsNaN(l.ys[i-1]) {
				segment(img, px(i-1), py(l.ys[i-1]), px(i), py(y), l.c)
			} else {
				fill(img, image.Rect(px(i)-1, py(y)-1, px(i)+2, py(y)+2), l.c)
			}
		}
	}
}

// niceCeil rounds v up to 1, 2 or 5 times a power of ten (1 for v ≤ 0).
func niceCeil(v float64) float64 {
	if v <= 0 || math.IsNaN(v) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

func label(v float64) string {
	if v == math.Trunc(v) {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

func fill(img *image.RGBA, r image.Rectangle, c color.RGBA) {
	r = r.Intersect(img.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			img.SetRGBA(x, y, c)
		}
	}
}

// segment draws a 2-pixel line (Bresenham).
func segment(img *image.RGBA, x0, y0, x1, y1 int, c color.RGBA) {
	dx, dy := abs(x1-x0), -abs(y1-y0)
	sx, sy := sign(x1-x0), sign(y1-y0)
	e := dx + dy
	for {
		fill(img, image.Rect(x0, y0, x0+2, y0+2), c)
		if x0 == x1 && y0 == y1 {
			return
		}
		e2 := 2 * e
		if e2 >= dy {
			e += dy
			x0 += sx
		}
		if e2 <= dx {
			e += dx
			y0 += sy
		}
	}
}

func abs(v int) int { return max(v, -v) }

func sign(v int) int {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

// text draws s (upper case; unknown runes as blanks) with its top-left
// corner at x, y.
func text(img *image.RGBA, x, y int, s string, c color.RGBA) {
	for _, ch := range strings.ToUpper(s) {
		if g, ok := font[ch]; ok {
			for row, bits := range g {
				for col := range glyphW {
					if bits[col] == '#' {
						fill(img, image.Rect(x+col*fontScale, y+row*fontScale, x+(col+1)*fontScale, y+(row+1)*fontScale), c)
					}
				}
			}
		}
		x += glyphAdv
	}
}

// font is a 3×5 bitmap font, rows top to bottom.
var font = map[rune][glyphH]string{
	'0': {"###", "#.#", "#.#", "#.#", "###"}, '1': {".#.", "##.", ".#.", ".#.", "###"},
	'2': {"###", "..#", "###", "#..", "###"}, '3': {"###", "..#", "###", "..#", "###"},
	'4': {"#.#", "#.#", "###", "..#", "..#"}, '5': {"###", "#..", "###", "..#", "###"},
	'6': {"###", "#..", "###", "#.#", "###"}, '7': {"###", "..#", "..#", "..#", "..#"},
	'8': {"###", "#.#", "###", "#.#", "###"}, '9': {"###", "#.#", "###", "..#", "###"},
	'A': {".#.", "#.#", "###", "#.#", "#.#"}, 'B': {"##.", "#.#", "##.", "#.#", "##."},
	'C': {".##", "#..", "#..", "#..", ".##"}, 'D': {"##.", "#.#", "#.#", "#.#", "##."},
	'E': {"###", "#..", "##.", "#..", "###"}, 'F': {"###", "#..", "##.", "#..", "#.."},
	'G': {".##", "#..", "#.#", "#.#", ".##"}, 'H': {"#.#", "#.#", "###", "#.#", "#.#"},
	'I': {"###", ".#.", ".#.", ".#.", "###"}, 'J': {"..#", "..#", "..#", "#.#", ".#."},
	'K': {"#.#", "#.#", "##.", "#.#", "#.#"}, 'L': {"#..", "#..", "#..", "#..", "###"},
	'M': {"#.#", "###", "###", "#.#", "#.#"}, 'N': {"##.", "#.#", "#.#", "#.#", "#.#"},
	'O': {".#.", "#.#", "#.#", "#.#", ".#."}, 'P': {"##.", "#.#", "##.", "#..", "#.."},
	'Q': {".#.", "#.#", "#.#", "##.", ".##"}, 'R': {"##.", "#.#", "##.", "#.#", "#.#"},
	'S': {".##", "#..", ".#.", "..#", "##."}, 'T': {"###", ".#.", ".#.", ".#.", ".#."},
	'U': {"#.#", "#.#", "#.#", "#.#", "###"}, 'V': {"#.#", "#.#", "#.#", "#.#", ".#."},
	'W': {"#.#", "#.#", "###", "###", "#.#"}, 'X': {"#.#", "#.#", ".#.", "#.#", "#.#"},
	'Y': {"#.#", "#.#", ".#.", ".#.", ".#."}, 'Z': {"###", "..#", ".#.", "#..", "###"},
	'.': {"...", "...", "...", "...", ".#."}, '%': {"#.#", "..#", ".#.", "#..", "#.#"},
	'/': {"..#", "..#", ".#.", "#..", "#.."}, '-': {"...", "...", "###", "...", "..."},
	':': {"...", ".#.", "...", ".#.", "..."}, '=': {"...", "###", "...", "###", "..."},
	'(': {".#.", "#..", "#..", "#..", ".#."}, ')': {".#.", "..#", "..#", "..#", ".#."},
}
