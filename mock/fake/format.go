package fake

import (
	"encoding/base64"
	"encoding/hex"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/brianvoe/gofakeit/v7"
)

type formatFunc func(f *gofakeit.Faker, rng *rand.Rand) string

var (
	dateLo = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	dateHi = time.Date(2030, 12, 31, 23, 59, 59, 0, time.UTC)
)

func fakeTime(f *gofakeit.Faker) time.Time { return f.DateRange(dateLo, dateHi).UTC() }

func randHex(rng *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return hex.EncodeToString(b)
}

func fakeDuration(_ *gofakeit.Faker, rng *rand.Rand) string {
	var b strings.Builder
	b.WriteByte('P')
	if rng.IntN(2) == 0 {
		b.WriteString(strconv.Itoa(1 + rng.IntN(30)))
		b.WriteByte('D')
	}
	b.WriteByte('T')
	b.WriteString(strconv.Itoa(rng.IntN(24)))
	b.WriteString("H")
	b.WriteString(strconv.Itoa(rng.IntN(60)))
	b.WriteString("M")
	return b.String()
}

var sampleRegexps = []string{`^[a-z]+$`, `^\d{3}-\d{4}$`, `[A-Z][a-z]*`, `^(foo|bar)+$`, `^\w+@\w+\.com$`}

// standardFormats are the JSON Schema formats; validators may assert them,
// so their values are always well-formed.
var standardFormats = map[string]formatFunc{
	"date-time": func(f *gofakeit.Faker, _ *rand.Rand) string { return fakeTime(f).Format(time.RFC3339) },
	"date":      func(f *gofakeit.Faker, _ *rand.Rand) string { return fakeTime(f).Format(time.DateOnly) },
	"time":      func(f *gofakeit.Faker, _ *rand.Rand) string { return fakeTime(f).Format("15:04:05Z") },
	"duration":  fakeDuration,
	"email":     func(f *gofakeit.Faker, _ *rand.Rand) string { return strings.ToLower(f.Email()) },
	"idn-email": func(f *gofakeit.Faker, _ *rand.Rand) string { return strings.ToLower(f.Email()) },
	"hostname":  func(f *gofakeit.Faker, _ *rand.Rand) string { return strings.ToLower(f.DomainName()) },
	"idn-hostname": func(f *gofakeit.Faker, _ *rand.Rand) string {
		return strings.ToLower(f.DomainName())
	},
	"ipv4":          func(f *gofakeit.Faker, _ *rand.Rand) string { return f.IPv4Address() },
	"ipv6":          func(f *gofakeit.Faker, _ *rand.Rand) string { return f.IPv6Address() },
	"uuid":          func(f *gofakeit.Faker, _ *rand.Rand) string { return f.UUID() },
	"uri":           func(f *gofakeit.Faker, _ *rand.Rand) string { return fakeURL(f) },
	"iri":           func(f *gofakeit.Faker, _ *rand.Rand) string { return fakeURL(f) },
	"uri-reference": func(f *gofakeit.Faker, _ *rand.Rand) string { return "/" + f.UrlSlug(2) },
	"iri-reference": func(f *gofakeit.Faker, _ *rand.Rand) string { return "/" + f.UrlSlug(2) },
	"uri-template": func(f *gofakeit.Faker, _ *rand.Rand) string {
		return "https://" + strings.ToLower(f.DomainName()) + "/{id}"
	},
	"json-pointer": func(f *gofakeit.Faker, rng *rand.Rand) string {
		return "/" + strings.ToLower(f.Noun()) + "/" + strconv.Itoa(rng.IntN(10))
	},
	"relative-json-pointer": func(f *gofakeit.Faker, rng *rand.Rand) string {
		return strconv.Itoa(rng.IntN(3)) + "/" + strings.ToLower(f.Noun())
	},
	"regex":  func(_ *gofakeit.Faker, rng *rand.Rand) string { return sampleRegexps[rng.IntN(len(sampleRegexps))] },
	"semver": func(f *gofakeit.Faker, _ *rand.Rand) string { return f.AppVersion() },
	"period": func(f *gofakeit.Faker, _ *rand.Rand) string {
		t := fakeTime(f)
		return t.Format(time.RFC3339) + "/" + t.Add(36*time.Hour).Format(time.RFC3339)
	},
	// OpenAPI string formats.
	"byte": func(_ *gofakeit.Faker, rng *rand.Rand) string {
		b := make([]byte, 6+rng.IntN(10))
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return base64.StdEncoding.EncodeToString(b)
	},
	"binary":   func(f *gofakeit.Faker, _ *rand.Rand) string { return f.LetterN(12) },
	"password": func(f *gofakeit.Faker, _ *rand.Rand) string { return f.Password(true, true, true, false, false, 14) },
}

func fakeURL(f *gofakeit.Faker) string {
	return "https://" + strings.ToLower(f.DomainName()) + "/" + f.UrlSlug(2)
}

func fakeWords(f *gofakeit.Faker, rng *rand.Rand, n int) string {
	w := make([]string, n)
	for i := range w {
		w[i] = strings.ToLower(f.Word())
	}
	return strings.Join(w, " ")
}

// fakerFormats maps Python Faker provider names (as Asynction users write
// them in "format") and a few gofakeit names onto gofakeit. Keys are
// normalised with normFormat.
var fakerFormats = map[string]formatFunc{
	"name":            func(f *gofakeit.Faker, _ *rand.Rand) string { return f.Name() },
	"fullname":        func(f *gofakeit.Faker, _ *rand.Rand) string { return f.Name() },
	"firstname":       func(f *gofakeit.Faker, _ *rand.Rand) string { return f.FirstName() },
	"firstnamemale":   func(f *gofakeit.Faker, _ *rand.Rand) string { return f.FirstName() },
	"firstnamefemale": func(f *gofakeit.Faker, _ *rand.Rand) string { return f.FirstName() },
	"lastname":        func(f *gofakeit.Faker, _ *rand.Rand) string { return f.LastName() },
	"middlename":      func(f *gofakeit.Faker, _ *rand.Rand) string { return f.MiddleName() },
	"prefix":          func(f *gofakeit.Faker, _ *rand.Rand) string { return f.NamePrefix() },
	"suffix":          func(f *gofakeit.Faker, _ *rand.Rand) string { return f.NameSuffix() },
	"username":        func(f *gofakeit.Faker, _ *rand.Rand) string { return f.Username() },
	"gamertag":        func(f *gofakeit.Faker, _ *rand.Rand) string { return f.Gamertag() },
	"gender":          func(f *gofakeit.Faker, _ *rand.Rand) string { return f.Gender() },
	"ssn":             func(f *gofakeit.Faker, _ *rand.Rand) string { return f.SSN() },
	"hobby":           func(f *gofakeit.Faker, _ *rand.Rand) string { return f.Hobby() },
	"bio":             func(f *gofakeit.Faker, _ *rand.Rand) string { return f.Bio() },
	"freeemail":       func(f *gofakeit.Faker, _ *rand.Rand) string { return strings.ToLower(f.Email()) },
	"safeemail":       func(f *gofakeit.Faker, _ *rand.Rand) string { return strings.ToLower(f.Email()) },
	"companyemail":    func(f *gofakeit.Faker, _ *rand.Rand) string { return strings.ToLower(f.Email()) },
	"asciiemail":      func(f *gofakeit.Faker, _ *rand.Rand) string { return strings.ToLower(f.Email()) },
	"address":         func(f *gofakeit.Faker, _ *rand.Rand) string { return f.Address().Address },
	"streetaddress":   func(f *gofakeit.Faker, _ *rand.Rand) string { return f.Street() },
	"street":          func(f *gofakeit.Faker, _ *rand.Rand) string { return f.Street() },
	"streetname":      func(f *gofakeit.Faker, _ *rand.Rand) string { return f.StreetName() },
	"streetsuffix":    func(f *gofakeit.Faker, _ *rand.Rand) string { return f.StreetSuffix() },
	"buildingnumber":  func(f *gofakeit.Faker, _ *rand.Rand) string { return f.StreetNumber() },
	"secondaryaddress": func(f *gofakeit.Faker, _ *rand.Rand) string {
		return f.Unit()
	},
	"city":        func(f *gofakeit.Faker, _ *rand.Rand) string { return f.City() },
	"state":       func(f *gofakeit.Faker, _ *rand.Rand) string { return f.State() },
	"stateabbr":   func(f *gofakeit.Faker, _ *rand.Rand) string { return f.StateAbr() },
	"postcode":    func(f *gofakeit.Faker, _ *rand.Rand) string { return f.Zip() },
	"zipcode":     func(f *gofakeit.Faker, _ *rand.Rand) string { return f.Zip() },
	"zip":         func(f *gofakeit.Faker, _ *rand.Rand) string { return f.Zip() },
	"country":     func(f *gofakeit.Faker, _ *rand.Rand) string { return f.Country() },
	"countrycode": func(f *gofakeit.Faker, _ *rand.Rand) string { return f.CountryAbr() },
	"latitude": func(f *gofakeit.Faker, _ *rand.Rand) string {
		return strconv.FormatFloat(f.Latitude(), 'f', 6, 64)
	},
	"longitude": func(f *gofakeit.Faker, _ *rand.Rand) string {
		return strconv.FormatFloat(f.Longitude(), 'f', 6, 64)
	},
	"phonenumber":   func(f *gofakeit.Faker, _ *rand.Rand) string { return f.PhoneFormatted() },
	"phone":         func(f *gofakeit.Faker, _ *rand.Rand) string { return f.Phone() },
	"msisdn":        func(f *gofakeit.Faker, _ *rand.Rand) string { return f.Phone() },
	"company":       func(f *gofakeit.Faker, _ *rand.Rand) string { return f.Company() },
	"companysuffix": func(f *gofakeit.Faker, _ *rand.Rand) string { return f.CompanySuffix() },
	"catchphrase":   func(f *gofakeit.Faker, _ *rand.Rand) string { return f.Slogan() },
	"bs":            func(f *gofakeit.Faker, _ *rand.Rand) string { return f.BS() },
	"job":           func(f *gofakeit.Faker, _ *rand.Rand) string { return f.JobTitle() },
	"jobtitle":      func(f *gofakeit.Faker, _ *rand.Rand) string { return f.JobTitle() },
	"word":          func(f *gofakeit.Faker, _ *rand.Rand) string { return strings.ToLower(f.Word()) },
	"words":         func(f *gofakeit.Faker, rng *rand.Rand) string { return fakeWords(f, rng, 3) },
	"sentence":      func(f *gofakeit.Faker, _ *rand.Rand) string { return f.Sentence() },
	"sentences":     func(f *gofakeit.Faker, _ *rand.Rand) string { return f.Sentence() + " " + f.Sentence() },
	"paragraph":     func(f *gofakeit.Faker, _ *rand.Rand) string { return f.Paragraph() },
	"paragraphs":    func(f *gofakeit.Faker, _ *rand.Rand) string { return f.Paragraph() },
	"text":          func(f *gofakeit.Faker, _ *rand.Rand) string { return f.Paragraph() },
	"question":      func(f *gofakeit.Faker, _ *rand.Rand) string { return f.Question() },
	"quote":         func(f *gofakeit.Faker, _ *rand.Rand) string { return f.Quote() },
	"phrase":        func(f *gofakeit.Faker, _ *rand.Rand) string { return f.Phrase() },
	"colorname":     func(f *gofakeit.Faker, _ *rand.Rand) string { return f.Color() },
	"color":         func(f *gofakeit.Faker, _ *rand.Rand) string { return f.Color() },
	"safecolorname": func(f *gofakeit.Faker, _ *rand.Rand) string { return f.SafeColor() },
	"hexcolor":      func(f *gofakeit.Faker, _ *rand.Rand) string { return f.HexColor() },
	"url":           func(f *gofakeit.Faker, _ *rand.Rand) string { return fakeURL(f) },
	"domainname":    func(f *gofakeit.Faker, _ *rand.Rand) string { return strings.ToLower(f.DomainName()) },
	"domainword":    func(f *gofakeit.Faker, _ *rand.Rand) string { return strings.ToLower(f.Word()) },
	"tld":           func(f *gofakeit.Faker, _ *rand.Rand) string { return f.DomainSuffix() },
	"slug":          func(f *gofakeit.Faker, _ *rand.Rand) string { return f.UrlSlug(3) },
	"ipv4public":    func(f *gofakeit.Faker, _ *rand.Rand) string { return f.IPv4Address() },
	"ipv4private":   func(f *gofakeit.Faker, _ *rand.Rand) string { return f.IPv4Address() },
	"macaddress":    func(f *gofakeit.Faker, _ *rand.Rand) string { return f.MacAddress() },
	"useragent":     func(f *gofakeit.Faker, _ *rand.Rand) string { return f.UserAgent() },
	"chrome":        func(f *gofakeit.Faker, _ *rand.Rand) string { return f.ChromeUserAgent() },
	"firefox":       func(f *gofakeit.Faker, _ *rand.Rand) string { return f.FirefoxUserAgent() },
	"safari":        func(f *gofakeit.Faker, _ *rand.Rand) string { return f.SafariUserAgent() },
	"opera":         func(f *gofakeit.Faker, _ *rand.Rand) string { return f.OperaUserAgent() },
	"httpmethod":    func(f *gofakeit.Faker, _ *rand.Rand) string { return f.HTTPMethod() },
	"uuid4":         func(f *gofakeit.Faker, _ *rand.Rand) string { return f.UUID() },
	"iso8601":       func(f *gofakeit.Faker, _ *rand.Rand) string { return fakeTime(f).Format(time.RFC3339) },
	"datetime":      func(f *gofakeit.Faker, _ *rand.Rand) string { return fakeTime(f).Format(time.RFC3339) },
	"datetimethiscentury": func(f *gofakeit.Faker, _ *rand.Rand) string {
		return fakeTime(f).Format(time.RFC3339)
	},
	"dateofbirth": func(f *gofakeit.Faker, _ *rand.Rand) string {
		return f.DateRange(time.Date(1940, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2008, 1, 1, 0, 0, 0, 0, time.UTC)).Format(time.DateOnly)
	},
	"pastdate":     func(f *gofakeit.Faker, _ *rand.Rand) string { return f.PastDate().UTC().Format(time.DateOnly) },
	"futuredate":   func(f *gofakeit.Faker, _ *rand.Rand) string { return f.FutureDate().UTC().Format(time.DateOnly) },
	"unixtime":     func(f *gofakeit.Faker, _ *rand.Rand) string { return strconv.FormatInt(fakeTime(f).Unix(), 10) },
	"dayofweek":    func(f *gofakeit.Faker, _ *rand.Rand) string { return f.WeekDay() },
	"monthname":    func(f *gofakeit.Faker, _ *rand.Rand) string { return f.MonthString() },
	"month":        func(f *gofakeit.Faker, _ *rand.Rand) string { return strconv.Itoa(f.Month()) },
	"year":         func(f *gofakeit.Faker, _ *rand.Rand) string { return strconv.Itoa(f.Year()) },
	"timezone":     func(f *gofakeit.Faker, _ *rand.Rand) string { return f.TimeZoneRegion() },
	"currencycode": func(f *gofakeit.Faker, _ *rand.Rand) string { return f.CurrencyShort() },
	"currencyname": func(f *gofakeit.Faker, _ *rand.Rand) string { return f.CurrencyLong() },
	"creditcardnumber": func(f *gofakeit.Faker, _ *rand.Rand) string {
		return f.CreditCardNumber(nil)
	},
	"creditcardprovider": func(f *gofakeit.Faker, _ *rand.Rand) string { return f.CreditCardType() },
	"bankname":           func(f *gofakeit.Faker, _ *rand.Rand) string { return f.BankName() },
	"languagename":       func(f *gofakeit.Faker, _ *rand.Rand) string { return f.Language() },
	"languagecode":       func(f *gofakeit.Faker, _ *rand.Rand) string { return f.LanguageAbbreviation() },
	"locale":             func(f *gofakeit.Faker, _ *rand.Rand) string { return f.LanguageBCP() },
	"filename": func(f *gofakeit.Faker, _ *rand.Rand) string {
		return strings.ToLower(f.Word()) + "." + f.FileExtension()
	},
	"fileextension": func(f *gofakeit.Faker, _ *rand.Rand) string { return f.FileExtension() },
	"mimetype":      func(f *gofakeit.Faker, _ *rand.Rand) string { return f.FileMimeType() },
	"md5":           func(_ *gofakeit.Faker, rng *rand.Rand) string { return randHex(rng, 16) },
	"sha1":          func(_ *gofakeit.Faker, rng *rand.Rand) string { return randHex(rng, 20) },
	"sha256":        func(_ *gofakeit.Faker, rng *rand.Rand) string { return randHex(rng, 32) },
	"hexify":        func(_ *gofakeit.Faker, rng *rand.Rand) string { return randHex(rng, 8) },
	"emoji":         func(f *gofakeit.Faker, _ *rand.Rand) string { return f.Emoji() },
	"isbn13":        func(f *gofakeit.Faker, _ *rand.Rand) string { return f.ProductISBN(nil) },
	"ean13":         func(f *gofakeit.Faker, _ *rand.Rand) string { return f.ProductUPC() },
	"productname":   func(f *gofakeit.Faker, _ *rand.Rand) string { return f.ProductName() },
	"animal":        func(f *gofakeit.Faker, _ *rand.Rand) string { return f.Animal() },
	"programminglanguage": func(f *gofakeit.Faker, _ *rand.Rand) string {
		return f.ProgrammingLanguage()
	},
	"appname":    func(f *gofakeit.Faker, _ *rand.Rand) string { return f.AppName() },
	"appversion": func(f *gofakeit.Faker, _ *rand.Rand) string { return f.AppVersion() },
	"hackerphrase": func(f *gofakeit.Faker, _ *rand.Rand) string {
		return f.HackerPhrase()
	},
	"bitcoinaddress": func(f *gofakeit.Faker, _ *rand.Rand) string { return f.BitcoinAddress() },
	"letter":         func(f *gofakeit.Faker, _ *rand.Rand) string { return f.Letter() },
	"digit":          func(f *gofakeit.Faker, _ *rand.Rand) string { return f.Digit() },
	"booktitle":      func(f *gofakeit.Faker, _ *rand.Rand) string { return f.BookTitle() },
	"moviename":      func(f *gofakeit.Faker, _ *rand.Rand) string { return f.MovieName() },
	"songname":       func(f *gofakeit.Faker, _ *rand.Rand) string { return f.SongName() },
}

// normFormat folds "first_name", "first-name", "firstName" to "firstname".
func normFormat(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r == '_' || r == '-' || r == ' ' || r == '.' {
			continue
		}
		b.WriteRune(toLowerASCII(r))
	}
	return b.String()
}

func toLowerASCII(r rune) rune {
	if r >= 'A' && r <= 'Z' {
		return r + 'a' - 'A'
	}
	return r
}

// lookupFormat returns the generator for a format name and whether it is a
// standard (validator-asserted) format.
func lookupFormat(name string) (formatFunc, bool) {
	if f, ok := standardFormats[name]; ok {
		return f, true
	}
	if f, ok := fakerFormats[normFormat(name)]; ok {
		return f, false
	}
	return nil, false
}

// KnownFormat reports whether format drives generation: a standard JSON
// Schema or OpenAPI string format, or one of the Faker provider names
// mapped onto gofakeit. Other formats produce plain strings.
func KnownFormat(format string) bool {
	f, _ := lookupFormat(format)
	return f != nil
}

// nameHints maps normalised property names that are not provider names
// onto providers.
var nameHints = map[string]string{
	"message": "sentence", "msg": "sentence", "comment": "sentence", "description": "sentence",
	"summary": "sentence", "title": "sentence", "body": "paragraph", "content": "paragraph",
	"login": "username", "nick": "username", "nickname": "username", "handle": "username",
	"user": "username", "author": "name", "fullname": "name", "displayname": "name",
	"first": "firstname", "givenname": "firstname", "last": "lastname", "surname": "lastname",
	"familyname": "lastname", "emailaddress": "email", "mail": "email", "phonenumber": "phonenumber",
	"mobile": "phone", "tel": "phone", "website": "url", "homepage": "url", "link": "url",
	"avatar": "url", "avatarurl": "url", "image": "url", "imageurl": "url", "host": "domainname",
	"domain": "domainname", "ip": "ipv4", "ipaddress": "ipv4", "timestamp": "iso8601",
	"createdat": "iso8601", "updatedat": "iso8601", "datetime": "iso8601", "sentat": "iso8601",
	"birthday": "dateofbirth", "dob": "dateofbirth", "zip": "zipcode", "zipcode": "zipcode",
	"postalcode": "postcode", "street": "streetaddress", "countrycode": "countrycode",
	"currency": "currencycode", "lang": "languagecode", "language": "languagename",
	"tag": "word", "tags": "word", "keyword": "word", "keywords": "word", "room": "word",
	"channel": "word", "topic": "word", "company": "company", "companyname": "company",
	"organization": "company", "jobtitle": "jobtitle", "city": "city", "country": "country",
	"color": "colorname", "colour": "colorname", "uuid": "uuid4", "guid": "uuid4",
}

// hintFormat picks a provider from a property (or event) name, or nil:
// the whole name first ("username", "created_at"), then its last word
// ("senderEmail", "new message").
func hintFormat(name string) formatFunc {
	if name == "" {
		return nil
	}
	if f := hintWord(normFormat(name)); f != nil {
		return f
	}
	if w := lastWord(name); w != "" && w != normFormat(name) {
		return hintWord(w)
	}
	return nil
}

func hintWord(k string) formatFunc {
	h, direct := nameHints[k]
	if direct {
		k = h
	}
	switch k {
	case "email", "uuid", "ipv4", "ipv6", "hostname", "uri", "date", "time":
		return standardFormats[k]
	}
	// Only specific providers: generic ones ("text", "word"...) are too
	// likely to be wrong for a property that merely shares the name,
	// unless a hint above chose them.
	if !direct {
		switch k {
		case "text", "word", "words", "letter", "digit", "prefix", "suffix", "year", "month", "state", "job", "color", "bs", "locale":
			return nil
		}
	}
	return fakerFormats[k]
}

// lastWord returns the last word of a name in snake, kebab, space or
// camel case, lower-cased.
func lastWord(s string) string {
	end := len(s)
	for end > 0 && !isAlnum(s[end-1]) {
		end--
	}
	start := end
	for start > 0 && isAlnum(s[start-1]) {
		c := s[start-1]
		start--
		if c >= 'A' && c <= 'Z' && start > 0 && s[start-1] >= 'a' && s[start-1] <= 'z' {
			break // camelCase boundary
		}
	}
	return strings.ToLower(s[start:end])
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
