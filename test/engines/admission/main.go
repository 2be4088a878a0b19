// Evaluates ValidatingAdmissionPolicies the way the Kubernetes API server does: each expression
// compiled in the API server's own CEL environment (k8s.io/apiserver/pkg/cel/environment) at the
// cluster's Kubernetes version, requests matched by the policy's resource rules, namespace and
// object selectors (k8s.io/apimachinery label selectors), match conditions, then variables and
// validations, a CEL error denying as failurePolicy Fail does. Objects are untyped (DynType).
//
// Input (stdin, JSON): {"kubernetesVersion": "1.33", "policies": [{"name", "spec"}],
// "cases": [{"name", "policy", "request", "object", "oldObject", "namespaceObject", "allowed"}]}.
// Output: one PASS or FAIL line per case, with the messages of the validations that denied it;
// exit code 1 if any case was not decided as expected, 2 if a policy does not compile.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/google/cel-go/cel"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/version"
	"k8s.io/apiserver/pkg/cel/environment"
)

type expression struct {
	Name       string `json:"name"`
	Expression string `json:"expression"`
	Message    string `json:"message"`
}

type resourceRule struct {
	APIGroups  []string `json:"apiGroups"`
	Resources  []string `json:"resources"`
	Operations []string `json:"operations"`
}

type policySpec struct {
	MatchConstraints struct {
		ResourceRules     []resourceRule        `json:"resourceRules"`
		NamespaceSelector *metav1.LabelSelector `json:"namespaceSelector"`
		ObjectSelector    *metav1.LabelSelector `json:"objectSelector"`
	} `json:"matchConstraints"`
	MatchConditions []expression `json:"matchConditions"`
	Variables       []expression `json:"variables"`
	Validations     []expression `json:"validations"`
}

type policy struct {
	Name string     `json:"name"`
	Spec policySpec `json:"spec"`
}

type admissionCase struct {
	Name            string         `json:"name"`
	Policy          string         `json:"policy"`
	Request         map[string]any `json:"request"`
	Object          any            `json:"object"`
	OldObject       any            `json:"oldObject"`
	NamespaceObject any            `json:"namespaceObject"`
	Allowed         bool           `json:"allowed"`
}

type input struct {
	KubernetesVersion string          `json:"kubernetesVersion"`
	Policies          []policy        `json:"policies"`
	Cases             []admissionCase `json:"cases"`
}

type compiled struct {
	policy            policy
	namespaceSelector labels.Selector
	objectSelector    labels.Selector
	conditions  []cel.Program
	variables   []cel.Program
	validations []cel.Program
}

func compileAll(env *cel.Env, p policy, exprs []expression) ([]cel.Program, error) {
	out := make([]cel.Program, 0, len(exprs))
	for _, e := range exprs {
		ast, issues := env.Compile(e.Expression)
		if issues.Err() != nil {
			return nil, fmt.Errorf("policy %s: %q does not compile: %v", p.Name, e.Message+e.Name, issues.Err())
		}
		prg, err := env.Program(ast)
		if err != nil {
			return nil, fmt.Errorf("policy %s: %v", p.Name, err)
		}
		out = append(out, prg)
	}
	return out, nil
}

func covers(values []string, value string) bool {
	for _, v := range values {
		if v == value || v == "*" {
			return true
		}
	}
	return false
}

func str(m map[string]any, path ...string) string {
	var cur any = m
	for _, k := range path {
		next, ok := cur.(map[string]any)
		if !ok {
			return ""
		}
		cur = next[k]
	}
	s, _ := cur.(string)
	return s
}

func (c *compiled) matches(ac admissionCase) bool {
	op := str(ac.Request, "operation")
	group, resource := str(ac.Request, "resource", "group"), str(ac.Request, "resource", "resource")
	matched := false
	for _, r := range c.policy.Spec.MatchConstraints.ResourceRules {
		if covers(r.APIGroups, group) && covers(r.Resources, resource) && covers(r.Operations, op) {
			matched = true
		}
	}
	if !matched {
		return false
	}
	if c.namespaceSelector != nil && !c.namespaceSelector.Matches(labelsOf(ac.NamespaceObject)) {
		return false
	}
	// The API server matches the object selector on the new object, or on the old one for a delete.
	object := ac.Object
	if object == nil {
		object = ac.OldObject
	}
	return c.objectSelector == nil || c.objectSelector.Matches(labelsOf(object))
}

func labelsOf(object any) labels.Set {
	o, _ := object.(map[string]any)
	meta, _ := o["metadata"].(map[string]any)
	raw, _ := meta["labels"].(map[string]any)
	set := labels.Set{}
	for k, v := range raw {
		set[k], _ = v.(string)
	}
	return set
}

// decide returns the messages of the validations that deny the request (empty: admitted).
func (c *compiled) decide(ac admissionCase) []string {
	vars := map[string]any{}
	activation := map[string]any{"request": ac.Request, "object": ac.Object, "oldObject": ac.OldObject, "namespaceObject": ac.NamespaceObject, "params": nil, "variables": vars}
	for i, prg := range c.conditions {
		out, _, err := prg.Eval(activation)
		if err != nil {
			return []string{fmt.Sprintf("match condition %s: %v", c.policy.Spec.MatchConditions[i].Name, err)}
		}
		if out.Value() != true {
			return nil
		}
	}
	for i, prg := range c.variables {
		// A variable that errs leaves the name unset: a validation that reads it errs in turn.
		if out, _, err := prg.Eval(activation); err == nil {
			vars[c.policy.Spec.Variables[i].Name] = out.Value()
		}
	}
	var denied []string
	for i, prg := range c.validations {
		out, _, err := prg.Eval(activation)
		switch {
		case err != nil:
			denied = append(denied, c.policy.Spec.Validations[i].Message+" (error: "+err.Error()+")")
		case out.Value() != true:
			denied = append(denied, c.policy.Spec.Validations[i].Message)
		}
	}
	return denied
}

func run() int {
	var in input
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		fmt.Fprintln(os.Stderr, "admission: cannot read input:", err)
		return 2
	}
	ver, err := version.ParseMajorMinor(in.KubernetesVersion)
	if err != nil {
		fmt.Fprintln(os.Stderr, "admission: kubernetesVersion:", err)
		return 2
	}
	env, err := environment.MustBaseEnvSet(ver).Extend(environment.VersionedOptions{
		IntroducedVersion: version.MajorMinor(1, 0),
		EnvOptions: []cel.EnvOption{
			cel.Variable("request", cel.DynType), cel.Variable("object", cel.DynType), cel.Variable("oldObject", cel.DynType),
			cel.Variable("namespaceObject", cel.DynType), cel.Variable("params", cel.DynType), cel.Variable("variables", cel.DynType),
		},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "admission:", err)
		return 2
	}
	celEnv := env.NewExpressionsEnv()
	policies := map[string]*compiled{}
	for _, p := range in.Policies {
		c := &compiled{policy: p}
		for _, sel := range []struct {
			name string
			from *metav1.LabelSelector
			into *labels.Selector
		}{{"namespaceSelector", p.Spec.MatchConstraints.NamespaceSelector, &c.namespaceSelector}, {"objectSelector", p.Spec.MatchConstraints.ObjectSelector, &c.objectSelector}} {
			if sel.from == nil {
				continue
			}
			if *sel.into, err = metav1.LabelSelectorAsSelector(sel.from); err != nil {
				fmt.Fprintf(os.Stderr, "admission: policy %s: %s: %v\n", p.Name, sel.name, err)
				return 2
			}
		}
		for _, part := range []struct {
			exprs []expression
			into  *[]cel.Program
		}{{p.Spec.MatchConditions, &c.conditions}, {p.Spec.Variables, &c.variables}, {p.Spec.Validations, &c.validations}} {
			if *part.into, err = compileAll(celEnv, p, part.exprs); err != nil {
				fmt.Fprintln(os.Stderr, "admission:", err)
				return 2
			}
		}
		policies[p.Name] = c
	}
	failed := 0
	for _, ac := range in.Cases {
		c, ok := policies[ac.Policy]
		if !ok {
			fmt.Printf("FAIL %s: no policy %s\n", ac.Name, ac.Policy)
			failed++
			continue
		}
		var denied []string
		if c.matches(ac) {
			denied = c.decide(ac)
		}
		allowed := len(denied) == 0
		verdict := "PASS"
		if allowed != ac.Allowed {
			verdict = "FAIL"
			failed++
		}
		detail := "admitted"
		if !allowed {
			detail = "denied: " + strings.Join(denied, "; ")
		}
		fmt.Printf("%s %s: %s\n", verdict, ac.Name, detail)
	}
	fmt.Printf("admission: %d cases, %d decided otherwise than expected (Kubernetes %s CEL environment)\n", len(in.Cases), failed, in.KubernetesVersion)
	if failed > 0 {
		return 1
	}
	return 0
}

func main() { os.Exit(run()) }
