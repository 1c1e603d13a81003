// Package apidocs renders the API reference from the OpenAPI document.
package apidocs

import (
	"encoding/json"
	"sort"
	"strings"
)

// Path is the API reference page.
const Path = "/api/docs"

// Param is one operation parameter.
type Param struct {
	Name        string
	In          string
	Required    bool
	Description string
}

// Operation is one endpoint.
type Operation struct {
	Method      string
	Path        string
	Summary     string
	Params      []Param
	Body        string // schema name of the request body
	Responses   []string
	AnchorID    string
	Description string
}

// VM is the API reference page.
type VM struct {
	Title       string
	Description string
	Operations  []Operation
	BaseURL     string
}

// Parse reads the operations of an OpenAPI document, in path order.
func Parse(doc []byte, baseURL string) (VM, error) {
	var d struct {
		Info struct {
			Title       string `json:"title"`
			Description string `json:"description"`
		} `json:"info"`
		Paths map[string]map[string]struct {
			OperationID string `json:"operationId"`
			Summary     string `json:"summary"`
			Parameters  []struct {
				Name        string `json:"name"`
				In          string `json:"in"`
				Required    bool   `json:"required"`
				Description string `json:"description"`
			} `json:"parameters"`
			RequestBody *struct {
				Content map[string]struct {
					Schema struct {
						Ref string `json:"$ref"`
					} `json:"schema"`
				} `json:"content"`
			} `json:"requestBody"`
			Responses map[string]json.RawMessage `json:"responses"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		return VM{}, err
	}
	vm := VM{Title: d.Info.Title, Description: d.Info.Description, BaseURL: baseURL}
	paths := make([]string, 0, len(d.Paths))
	for p := range d.Paths {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	order := []string{"get", "post", "put", "patch", "delete"}
	for _, p := range paths {
		for _, m := range order {
			op, ok := d.Paths[p][m]
			if !ok {
				continue
			}
			o := Operation{Method: strings.ToUpper(m), Path: "/api/v1" + p, Summary: op.Summary, AnchorID: op.OperationID}
			for _, prm := range op.Parameters {
				o.Params = append(o.Params, Param{Name: prm.Name, In: prm.In, Required: prm.Required, Description: prm.Description})
			}
			if op.RequestBody != nil {
				o.Body = strings.TrimPrefix(op.RequestBody.Content["application/json"].Schema.Ref, "#/components/schemas/")
			}
			for code := range op.Responses {
				o.Responses = append(o.Responses, code)
			}
			sort.Strings(o.Responses)
			vm.Operations = append(vm.Operations, o)
		}
	}
	return vm, nil
}

// ExamplePath is the request the curl example makes.
const ExamplePath = "/api/v1/risks?status=open&sort=-inherentScore"

// CurlExample returns a curl command that works when pasted into a POSIX
// shell: the URL is single-quoted (it holds "&"), the header double-quoted
// so that $RISKREG_KEY expands.
func (vm VM) CurlExample() string {
	return `curl -H "Authorization: Bearer $RISKREG_KEY" ` + ShellQuote(vm.BaseURL+ExamplePath)
}

// ShellQuote quotes s as one word for a POSIX shell.
func ShellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Span is a piece of prose: text, or inline code when Code is set.
type Span struct {
	Text string
	Code bool
}

// Inline splits a description written with Markdown's `backticks` into
// text and code spans; an unpaired backtick stays as text.
func Inline(s string) []Span {
	var out []Span
	for {
		a := strings.IndexByte(s, '`')
		if a < 0 {
			break
		}
		b := strings.IndexByte(s[a+1:], '`')
		if b < 0 {
			break
		}
		if a > 0 {
			out = append(out, Span{Text: s[:a]})
		}
		out = append(out, Span{Text: s[a+1 : a+1+b], Code: true})
		s = s[a+1+b+1:]
	}
	if s != "" {
		out = append(out, Span{Text: s})
	}
	return out
}

func methodClass(m string) string {
	switch m {
	case "GET":
		return "bg-sky-100 text-sky-900 dark:bg-sky-900 dark:text-sky-100"
	case "POST":
		return "bg-emerald-100 text-emerald-900 dark:bg-emerald-900 dark:text-emerald-100"
	case "DELETE":
		return "bg-red-100 text-red-900 dark:bg-red-900 dark:text-red-100"
	default:
		return "bg-amber-100 text-amber-900 dark:bg-amber-900 dark:text-amber-100"
	}
}
