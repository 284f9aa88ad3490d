package docs_test

var chatEvents = []string{
	"new message", "typing", "stop typing", "add user",
	"user joined", "user left", "login", "server metric",
}

var krakenEvents = []string{"ping", "subscribe", "unsubscribe", "pong", "heartbeat", "systemStatus", "subscriptionStatus"}

var featureEvents = []string{"move", "save tree", "ping", "tick", "metric"}
