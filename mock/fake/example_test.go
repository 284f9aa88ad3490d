package fake_test

import (
	"encoding/json"
	"fmt"

	"github.com/sockspec/sockspec/mock/fake"
)

func ExampleGenerator_Generate() {
	var schema any
	_ = json.Unmarshal([]byte(`{
		"type": "object",
		"properties": {
			"username": {"type": "string", "format": "user_name"},
			"age": {"type": "integer", "minimum": 18, "maximum": 99},
			"code": {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{3}$"}
		},
		"required": ["username", "age", "code"],
		"additionalProperties": false
	}`), &schema)

	g := fake.New(fake.Config{Seed: 42})
	s, err := g.Prepare(schema, fake.PrepareOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	v, err := g.Generate(s)
	if err != nil {
		fmt.Println(err)
		return
	}
	m := v.(map[string]any)
	fmt.Println(len(m), m["age"].(int64) >= 18, len(m["code"].(string)))
	// Output: 3 true 7
}

func ExampleGenerator_Prepare_error() {
	var schema any
	_ = json.Unmarshal([]byte(`{
		"type": "object",
		"properties": {"score": {"type": "integer", "minimum": 10, "maximum": 1}}
	}`), &schema)
	g := fake.New(fake.Config{})
	_, err := g.Prepare(schema, fake.PrepareOptions{Location: "#/components/messages/result/payload"})
	fmt.Println(err)
	// Output: fake: schema #/components/messages/result/payload/properties/score: no integer satisfies minimum 10, maximum 1
}
