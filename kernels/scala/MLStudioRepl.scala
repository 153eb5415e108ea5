// The Scala side of jupyter_mlstudio's Scala kernel: the Scala 2.13 REPL's own
// interpreter (IMain) behind a framed pipe protocol, so that the Python kernel
// (mlstudio_scala_kernel.py) learns exactly whether a cell compiled and ran.
//
// In (stdin):  "x <n>\n" + n bytes of UTF-8 code   -- interpret a cell
//              "j <n>\n" + n bytes of a path        -- add a jar or folder to the class path
// Out (stdout): "<tag> <n>\n" + n bytes, where tag is
//   R ready, o user stdout, e user stderr, r the REPL's own messages (results, errors),
//   d done: ok | compile-error | runtime-error | incomplete | interrupted
// SIGINT interrupts the running cell (Thread.interrupt, then Thread.stop); the
// definitions made so far stay. End of stdin ends the JVM, even in a busy cell.
import java.io._
import java.nio.charset.StandardCharsets.UTF_8

import scala.tools.nsc.Settings
import scala.tools.nsc.interpreter.{IMain, Results}
import scala.tools.nsc.interpreter.shell.ReplReporterImpl
import scala.reflect.internal.util.{CodeAction, Position}
import scala.reflect.internal.Reporter.Severity

object MLStudioRepl {
  private val frames = new DataOutputStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out)))

  def frame(tag: Char, data: Array[Byte], off: Int, len: Int): Unit = frames.synchronized {
    frames.write(s"$tag $len\n".getBytes(UTF_8))
    frames.write(data, off, len)
    frames.flush()
  }

  def frame(tag: Char, text: String): Unit = {
    val bytes = text.getBytes(UTF_8)
    frame(tag, bytes, 0, bytes.length)
  }

  /** Everything written to it becomes frames with one tag. */
  class FrameStream(tag: Char) extends OutputStream {
    override def write(b: Int): Unit = frame(tag, Array(b.toByte), 0, 1)
    override def write(b: Array[Byte], off: Int, len: Int): Unit = if (len > 0) frame(tag, b, off, len)
  }

  /** The REPL's reporter, counting compile errors (it resets its own count per run). */
  class CountingReporter(settings: Settings, out: PrintWriter) extends ReplReporterImpl(settings, out) {
    @volatile var compileErrors = 0
    override def doReport(pos: Position, msg: String, severity: Severity, actions: List[CodeAction]): Unit = {
      if (severity eq ERROR) compileErrors += 1
      super.doReport(pos, msg, severity, actions)
    }
  }

  @volatile private var running: Thread = null
  @volatile private var interrupted = false

  private def interruptRunning(): Unit = {
    val cell = running
    if (cell == null) return
    interrupted = true
    cell.interrupt()
    cell.join(1000)
    if (running eq cell) {
      try cell.stop() // deprecated, and gone after JDK 19; the kernel restarts the JVM then
      catch { case _: Throwable => }
    }
  }

  def main(args: Array[String]): Unit = {
    val in = new DataInputStream(new BufferedInputStream(new FileInputStream(FileDescriptor.in)))
    val userOut = new PrintStream(new FrameStream('o'), true, "UTF-8")
    val userErr = new PrintStream(new FrameStream('e'), true, "UTF-8")
    System.setOut(userOut)
    System.setErr(userErr)
    val settings = new Settings
    settings.usejavacp.value = true
    val replOut = new PrintWriter(new OutputStreamWriter(new FrameStream('r'), UTF_8), true)
    val reporter = new CountingReporter(settings, replOut)
    val intp = new IMain(settings, reporter)

    def interpret(code: String): String = {
      reporter.compileErrors = 0
      val result = scala.Console.withOut(userOut) {
        scala.Console.withErr(userErr) { intp.interpret(code) }
      }
      result match {
        case Results.Success => "ok"
        case Results.Incomplete => "incomplete"
        case Results.Error => if (reporter.compileErrors > 0) "compile-error" else "runtime-error"
      }
    }

    interpret("()") // warm the compiler up before saying ready
    sun.misc.Signal.handle(new sun.misc.Signal("INT"), _ => interruptRunning())
    frame('R', scala.util.Properties.versionNumberString)
    while (true) {
      val header = in.readLine()
      if (header == null) Runtime.getRuntime.halt(0)
      val payload = new Array[Byte](header.drop(2).trim.toInt)
      in.readFully(payload)
      val text = new String(payload, UTF_8)
      header.charAt(0) match {
        case 'j' =>
          val path = new File(text)
          if (path.exists) {
            intp.addUrlsToClassPath(path.toURI.toURL)
            frame('d', "ok")
          } else {
            frame('r', s"error: no such file: $text\n")
            frame('d', "compile-error")
          }
        case _ =>
          @volatile var status = "interrupted"
          interrupted = false
          val cell = new Thread(() => { status = interpret(text) }, "mlstudio-cell")
          running = cell
          cell.start()
          cell.join()
          running = null
          userOut.flush()
          userErr.flush()
          replOut.flush()
          frame('d', if (interrupted) "interrupted" else status)
      }
    }
  }
}
