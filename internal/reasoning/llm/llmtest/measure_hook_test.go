package llmtest_test

import "github.com/researchflow/researchflow/internal/reasoning"

// The engine records every call's usage: the measurement counts what the
// activities charge, failed calls included.
func init() { accountHook = reasoning.WithUsageRecorder }
