// Parses PromQL the way Prometheus does (github.com/prometheus/prometheus/promql/parser): every
// query an Argo Rollouts analysis of tenantctl sends to the platform Prometheus must parse, and
// evaluate to an instant vector or a scalar (Argo Rollouts reads `result[0]`).
//
// Input (stdin, JSON): {"queries": [{"name", "query", "valid"}]}, `valid` false for a query that
// must be refused (the engine's own check that it refuses anything).
// Output: one PASS or FAIL line per query; exit code 1 if any was not decided as expected.
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/prometheus/prometheus/promql/parser"
)

type query struct {
	Name  string `json:"name"`
	Query string `json:"query"`
	Valid bool   `json:"valid"`
}

func main() {
	var input struct {
		Queries []query `json:"queries"`
	}
	if err := json.NewDecoder(os.Stdin).Decode(&input); err != nil {
		fmt.Fprintln(os.Stderr, "reading the input:", err)
		os.Exit(2)
	}
	failed := 0
	for _, q := range input.Queries {
		problem := ""
		expr, err := parser.ParseExpr(q.Query)
		if err != nil {
			problem = err.Error()
		} else if t := expr.Type(); t != parser.ValueTypeVector && t != parser.ValueTypeScalar {
			problem = fmt.Sprintf("evaluates to a %s, not an instant vector or a scalar", t)
		}
		if (problem == "") == q.Valid {
			fmt.Printf("PASS %s\n", q.Name)
			continue
		}
		failed++
		if problem == "" {
			problem = "parsed, but must be refused"
		}
		fmt.Printf("FAIL %s: %s: %s\n", q.Name, problem, q.Query)
	}
	fmt.Printf("promql: %d queries, %d decided otherwise than expected\n", len(input.Queries), failed)
	if failed > 0 {
		os.Exit(1)
	}
}
