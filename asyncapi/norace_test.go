//go:build !race

package asyncapi_test

const raceEnabled = false
