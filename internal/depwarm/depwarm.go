// Package depwarm imports the heavy dependencies so that one build warms the
// cache. It is removed once real packages import them.
package depwarm

import (
	_ "github.com/gin-gonic/gin"
	_ "github.com/qdrant/go-client/qdrant"
	_ "github.com/temporalio/ui-server/v2/server"
	_ "github.com/tmc/langchaingo/documentloaders"
	_ "github.com/tmc/langchaingo/embeddings"
	_ "github.com/tmc/langchaingo/llms/anthropic"
	_ "github.com/tmc/langchaingo/llms/ollama"
	_ "github.com/tmc/langchaingo/llms/openai"
	_ "github.com/tmc/langchaingo/textsplitter"
	_ "go.temporal.io/sdk/client"
	_ "go.temporal.io/sdk/contrib/envconfig"
	_ "go.temporal.io/sdk/testsuite"
	_ "go.temporal.io/sdk/worker"
	_ "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	_ "go.temporal.io/server/temporal"
	_ "golang.org/x/net/html"
	_ "golang.org/x/time/rate"
	_ "google.golang.org/grpc"
)
