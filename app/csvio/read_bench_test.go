package csvio

import (
	"bytes"
	"fmt"
	"io"
	"maps"
	"runtime"
	"runtime/metrics"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// shape is one import file built to stress the reader.
type shape struct {
	name string
	data []byte
}

// fillRows appends rows made by row to header until the file would pass
// MaxImportBytes or holds max rows.
func fillRows(header string, max int, row func(i int) string) []byte {
	b := []byte(header)
	for i := 0; i < max; i++ {
		r := row(i)
		if len(b)+len(r) > MaxImportBytes {
			break
		}
		b = append(b, r...)
	}
	return b
}

// worstCaseShapes are files of at most MaxImportBytes of every shape that
// could make reading expensive: a header of millions of columns, rows far
// wider than the header, every kept column filled with quote-heavy values
// on the maximum number of rows, one field as large as the file, and
// millions of blank records or empty lines. "issue-100k-columns" is the
// 689 KB file of the report (100,000 header columns, 200 rows).
func worstCaseShapes() []shape {
	var shapes []shape

	var h strings.Builder
	h.WriteString("title,description,category")
	for i := 3; i < 100_000; i++ {
		fmt.Fprintf(&h, ",c%d", i)
	}
	h.WriteString("\n")
	shapes = append(shapes, shape{"issue-100k-columns", fillRows(h.String(), 200, func(int) string { return "x,y,z\n" })})

	wide := []byte("title,description,category")
	wide = append(wide, bytes.Repeat([]byte(","), MaxImportBytes-len(wide)-1)...)
	shapes = append(shapes, shape{"header-5M-columns", append(wide, '\n')})

	kept := keptColumnNames()
	h.Reset()
	h.WriteString(strings.Join(kept, ","))
	for i := len(kept); i < MaxImportColumns; i++ {
		fmt.Fprintf(&h, ",extra%d", i)
	}
	h.WriteString("\r\n")
	pad := strings.Repeat(",", 500)
	shapes = append(shapes, shape{"rows-wider-than-header", fillRows(h.String(), MaxImportRows, func(i int) string {
		return fmt.Sprintf("t%d,d,technology%s\r\n", i, pad)
	})})

	h.Reset()
	h.WriteString(strings.Join(kept, ","))
	h.WriteString("\r\n")
	// Each row fills every kept column with a quoted value full of escaped
	// quotes, sized so that MaxImportRows rows make the whole file.
	per := (MaxImportBytes-h.Len())/MaxImportRows/len(kept) - 3
	value := `"` + strings.Repeat(`""`, per/2) + `"`
	row := strings.TrimSuffix(strings.Repeat(value+",", len(kept)), ",") + "\r\n"
	shapes = append(shapes, shape{"all-kept-columns-quoted", fillRows(h.String(), MaxImportRows, func(int) string { return row })})

	long := []byte("title,description,category\r\nt,\"")
	for len(long) < MaxImportBytes-32 {
		long = append(long, "a \"\"quote\"\"\r\nline\n;"...)
	}
	shapes = append(shapes, shape{"one-5MiB-quoted-field", append(long, "\",technology\r\n"...)})

	shapes = append(shapes, shape{"blank-records", fillRows("title,description,category\r\n", MaxImportBytes, func(int) string { return ",,\r\n" })})
	shapes = append(shapes, shape{"empty-lines", fillRows("title,description,category\n", MaxImportBytes, func(int) string { return "\n" })})
	return shapes
}

// keptColumnNames lists the columns Read keeps, sorted.
func keptColumnNames() []string {
	return slices.Sorted(maps.Keys(keptColumns))
}

// heapBytes is the heap in use, live and not yet swept (MemStats.HeapAlloc),
// read without stopping the world.
func heapBytes() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// previewPeak reads data as the preview handler does (the text is teed
// into a strings.Builder to be posted back on commit) and returns the peak
// heap above the baseline, sampled every 50µs while Read runs and once
// more while its result is still alive.
func previewPeak(b *testing.B, data []byte) uint64 {
	runtime.GC()
	baseline := heapBytes()
	var peak atomic.Uint64
	sample := func() {
		if h := heapBytes(); h > peak.Load() {
			peak.Store(h)
		}
	}
	done, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		for {
			sample()
			select {
			case <-done:
				return
			case <-time.After(50 * time.Microsecond):
			}
		}
	}()
	var text strings.Builder
	rows, err := Read(io.TeeReader(bytes.NewReader(data), &text))
	sample()
	close(done)
	<-stopped
	if _, ok := IsFileError(err); err != nil && !ok {
		b.Fatal(err)
	}
	runtime.KeepAlive(rows)
	runtime.KeepAlive(&text)
	if p := peak.Load(); p > baseline {
		return p - baseline
	}
	return 0
}

// BenchmarkPreviewWorstCase reads files of the worst shapes within the
// 5 MiB limit and reports the peak heap of each read ("peak-heap-MiB",
// sampled); B/op, every byte allocated during a read, bounds it from above.
func BenchmarkPreviewWorstCase(b *testing.B) {
	for _, s := range worstCaseShapes() {
		b.Run(s.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(s.data)))
			var peak uint64
			for range b.N {
				peak = max(peak, previewPeak(b, s.data))
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
		})
	}
}
