// kfp-check runs a KFP v2 pipeline spec (IR YAML) through the Kubeflow Pipelines backend's own code,
// so tests judge tfx-ts's compiler and test server against Kubeflow rather than against our reading
// of it:
//
//	kfp-check parse FILE...
//	    What the API server does on upload (template.New from backend/src/apiserver/template:
//	    goyaml → JSON → protojson.Unmarshal into pipelinespec.PipelineSpec with unknown fields
//	    refused, schemaVersion 2.1.0, pipeline name rules) plus the resource manager's MLMD name
//	    check. One JSON line per file: {"file", "ok", "error"?}. Exit 1 when any file fails.
//
//	kfp-check compile [--parameters JSON] [--pipeline-root URI] [--cache-disabled] [--run-id ID] FILE
//	    What the API server does on run creation (V2Spec.RunWorkflow: runtime parameters checked
//	    against the root inputs, argocompiler.Compile, namespace/service account/labels), then
//	    Argo's own workflow validation (workflow/validate). Prints the Argo Workflow as YAML.
//	    Exit 1 on any error.
//
// Version: the module github.com/kubeflow/pipelines at release 2.14.3 (see go.mod).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	"github.com/argoproj/argo-workflows/v3/workflow/validate"
	"github.com/kubeflow/pipelines/backend/src/apiserver/common"
	"github.com/kubeflow/pipelines/backend/src/apiserver/config/proxy"
	"github.com/kubeflow/pipelines/backend/src/apiserver/model"
	"github.com/kubeflow/pipelines/backend/src/apiserver/template"
	"github.com/kubeflow/pipelines/backend/src/common/util"
	"sigs.k8s.io/yaml"
)

type parseResult struct {
	File  string `json:"file"`
	OK    bool   `json:"ok"`
	Error string `json:"error,omitempty"`
}

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	switch os.Args[1] {
	case "parse":
		os.Exit(parse(os.Args[2:]))
	case "compile":
		os.Exit(compile(os.Args[2:]))
	default:
		usage()
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: kfp-check parse FILE... | kfp-check compile [--parameters JSON] [--pipeline-root URI] [--cache-disabled] [--run-id ID] FILE")
	os.Exit(2)
}

// load is the API server's upload path: template.New, then, for v2 specs, the pipeline name check
// that ResourceManager.CreatePipelineAndPipelineVersion applies (MLMD context name rules).
func load(path string, cacheDisabled bool) (template.Template, error) {
	bytes, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	tmpl, err := template.New(bytes, cacheDisabled, nil)
	if err != nil {
		return nil, err
	}
	if !tmpl.IsV2() {
		return nil, fmt.Errorf("not a KFP v2 pipeline spec (an Argo Workflow, v1)")
	}
	if err := common.ValidatePipelineName(tmpl.V2PipelineName()); err != nil {
		return nil, err
	}
	return tmpl, nil
}

func parse(files []string) int {
	if len(files) == 0 {
		usage()
	}
	failed := 0
	out := json.NewEncoder(os.Stdout)
	for _, file := range files {
		result := parseResult{File: file, OK: true}
		if _, err := load(file, false); err != nil {
			result.OK = false
			result.Error = err.Error()
			failed++
		}
		_ = out.Encode(result)
	}
	if failed > 0 {
		return 1
	}
	return 0
}

func compile(args []string) int {
	flags := flag.NewFlagSet("compile", flag.ExitOnError)
	parameters := flags.String("parameters", "", "runtime parameters as a JSON object, as in a run's runtime_config.parameters")
	pipelineRoot := flags.String("pipeline-root", "", "runtime_config.pipeline_root")
	cacheDisabled := flags.Bool("cache-disabled", false, "the API server's CacheDisabled option")
	runID := flags.String("run-id", "00000000-0000-0000-0000-000000000001", "run id the workflow is labelled with")
	namespace := flags.String("namespace", "kubeflow", "namespace of the run")
	_ = flags.Parse(args)
	if flags.NArg() != 1 {
		usage()
	}
	// The API server reads HTTP(S)_PROXY at start and passes them to every pod; the check runs
	// without, so the workflow does not depend on this machine's environment.
	proxy.InitializeConfigWithEmptyForTests()
	fail := func(stage string, err error) int {
		fmt.Fprintf(os.Stderr, "kfp-check compile: %s: %v\n", stage, err)
		return 1
	}
	tmpl, err := load(flags.Arg(0), *cacheDisabled)
	if err != nil {
		return fail("parse", err)
	}
	run := &model.Run{
		DisplayName:    "kfp-check",
		Namespace:      *namespace,
		ServiceAccount: "pipeline-runner",
		PipelineSpec:   model.PipelineSpec{RuntimeConfig: model.RuntimeConfig{Parameters: *parameters, PipelineRoot: *pipelineRoot}},
	}
	execution, err := tmpl.RunWorkflow(run, template.RunWorkflowOptions{RunId: *runID, CacheDisabled: *cacheDisabled})
	if err != nil {
		return fail("compile", err)
	}
	workflow, ok := execution.(*util.Workflow)
	if !ok {
		return fail("compile", fmt.Errorf("expected an Argo Workflow, got %T", execution))
	}
	var wf wfv1.Workflow = *workflow.Workflow
	if err := validate.ValidateWorkflow(nil, nil, &wf, validate.ValidateOpts{}); err != nil {
		return fail("argo validation", err)
	}
	text, err := yaml.Marshal(workflow.Workflow)
	if err != nil {
		return fail("marshal", err)
	}
	_, _ = os.Stdout.Write(text)
	return 0
}
