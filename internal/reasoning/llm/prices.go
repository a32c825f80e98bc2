package llm

import "github.com/researchflow/researchflow/internal/config"

// Price is what a model costs, in USD per million tokens (config.Price).
type Price = config.Price

// PriceTable maps a model ("gpt-4o-mini") or a provider-qualified model
// ("openai/gpt-4o-mini") to its price (RESEARCHFLOW_PRICES; config.PriceTable).
type PriceTable = config.PriceTable
