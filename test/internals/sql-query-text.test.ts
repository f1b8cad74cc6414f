import t from 'tap'
import { queryTextProblem } from '../../adapters/sql-query-text.js'

t.test('a query that ends with ";" or holds a second statement is refused, naming why', async t => {
  for (const dialect of ['postgres', 'mysql'] as const) {
    t.match(queryTextProblem('SELECT * FROM cases;', dialect), /^ends with ";": leave it out/, `${dialect}: trailing ;`)
    t.match(queryTextProblem('SELECT * FROM cases ;  \n ', dialect), /^ends with ";"/, `${dialect}: trailing ; and spaces`)
    t.match(queryTextProblem('SELECT * FROM cases) AS a; COMMIT; BEGIN READ WRITE; INSERT INTO x VALUES (1); SELECT * FROM (SELECT 1', dialect), /^holds more than one statement \(";" at character 26\)/, `${dialect}: the statements of issue 13 finding 8`)
  }
})

t.test('a -- comment running to the end of the text, which would swallow the wrapper, is refused; one ended by a line break is fine', async t => {
  t.match(queryTextProblem('SELECT * FROM cases -- only open cases', 'postgres'), /^ends in a -- comment \(character 21\), which would swallow the "\) AS cb_source"/)
  t.match(queryTextProblem('SELECT * FROM cases -- only open cases', 'mysql'), /^ends in a -- comment/)
  t.match(queryTextProblem('SELECT * FROM cases # only open cases', 'mysql'), /^ends in a # comment/)
  t.equal(queryTextProblem('SELECT * FROM cases -- only open cases\n', 'postgres'), undefined, 'a YAML block scalar ends with a line break: the wrapper follows on the next line')
  t.equal(queryTextProblem('SELECT * FROM cases /* only open cases */', 'postgres'), undefined)
  t.equal(queryTextProblem('SELECT a#b FROM cases', 'postgres'), undefined, '# is no comment in PostgreSQL')
  t.equal(queryTextProblem('SELECT 1--2 AS n', 'mysql'), undefined, 'MySQL needs a space after --')
})

t.test('";" and comment markers inside strings, quoted names, dollar quotes and block comments are text', async t => {
  t.equal(queryTextProblem(`SELECT * FROM cases WHERE ay <> 'a;b -- c' AND "x;y" IS NOT NULL /* ; -- */`, 'postgres'), undefined)
  t.equal(queryTextProblem(`SELECT $$;--$$ AS a, $tag$ ; $tag$ AS b FROM cases`, 'postgres'), undefined)
  t.equal(queryTextProblem("SELECT * FROM cases WHERE ay = 'it''s; fine'", 'postgres'), undefined, "a doubled '' stays in the string")
  t.equal(queryTextProblem("SELECT * FROM cases WHERE ay = 'it\\'s; fine' AND `a;b` = 1", 'mysql'), undefined, 'MySQL: a backslash escapes in strings; backticks quote names')
  t.match(queryTextProblem("SELECT * FROM cases WHERE ay = 'it\\'s; fine'", 'postgres'), /^holds more than one statement/, 'PostgreSQL: a backslash is text in a standard string, so the string ends early and the ; is outside it')
  t.equal(queryTextProblem("SELECT * FROM cases WHERE ay = E'it\\'s; fine'", 'postgres'), undefined, "PostgreSQL E'' strings take backslash escapes")
  t.equal(queryTextProblem('SELECT /* outer /* inner ; */ still comment ; */ 1', 'postgres'), undefined, 'PostgreSQL block comments nest')
})

t.test('strings, names and comments never closed are refused', async t => {
  t.match(queryTextProblem("SELECT * FROM cases WHERE ay = 'open", 'postgres'), /^opens a string, quoted name or comment at character 32 that is never closed/)
  t.match(queryTextProblem('SELECT * FROM cases /* open', 'mysql'), /never closed/)
  t.match(queryTextProblem('SELECT $q$ open', 'postgres'), /never closed/)
})
